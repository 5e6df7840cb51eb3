/**
 * The online spot-check checklist (线上抽检): food-safety items an inspector can judge from the kitchen's cameras
 * (after the 明厨亮灶 practice of 餐饮服务食品安全操作规范). Keys are stable; labels are for the record
 * (`label`, part of the signed record) and the restaurant's notice (`label` and `en`).
 */
export const CHECKLIST = [
  { key: 'hats_masks', label: '从业人员规范佩戴工作帽、口罩', en: 'staff wear hats and masks' },
  { key: 'raw_cooked_separated', label: '生熟分开', en: 'raw and cooked kept apart' },
  { key: 'no_pests', label: '无老鼠、蟑螂、苍蝇等有害生物', en: 'no rats, cockroaches or flies' },
  { key: 'bins_covered', label: '废弃物容器加盖', en: 'waste bins covered' },
  { key: 'utensils_disinfected', label: '餐用具清洗消毒', en: 'utensils cleaned and disinfected' },
  { key: 'no_smoking_eating', label: '加工区无吸烟、进食', en: 'no smoking or eating where food is prepared' },
  { key: 'area_clean', label: '加工场所环境整洁', en: 'premises clean and tidy' },
] as const;
export type ChecklistKey = (typeof CHECKLIST)[number]['key'];
export const CHECKLIST_KEYS = CHECKLIST.map((c) => c.key) as [ChecklistKey, ...ChecklistKey[]];
