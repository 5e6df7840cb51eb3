/**
 * The online spot-check checklist (线上抽检): food-safety items an inspector can judge from the kitchen's cameras
 * (after the 明厨亮灶 practice of 餐饮服务食品安全操作规范). Keys are stable; labels are for the record.
 */
export const CHECKLIST = [
  { key: 'hats_masks', label: '从业人员规范佩戴工作帽、口罩' },
  { key: 'raw_cooked_separated', label: '生熟分开' },
  { key: 'no_pests', label: '无老鼠、蟑螂、苍蝇等有害生物' },
  { key: 'bins_covered', label: '废弃物容器加盖' },
  { key: 'utensils_disinfected', label: '餐用具清洗消毒' },
  { key: 'no_smoking_eating', label: '加工区无吸烟、进食' },
  { key: 'area_clean', label: '加工场所环境整洁' },
] as const;
export type ChecklistKey = (typeof CHECKLIST)[number]['key'];
export const CHECKLIST_KEYS = CHECKLIST.map((c) => c.key) as [ChecklistKey, ...ChecklistKey[]];
