/** 隐患台账 (hazard ledger) messages, merged into the catalogue in index.ts. */
export const hazardsZhCN = {
  hazards: {
    title: '隐患台账', kind: '来源', category: '类别', hazard: '隐患', subject: '对象', unit: '使用单位', district: '辖区',
    detectedAt: '发现时间', deadline: '整改期限', state: '状态', overdue: '逾期', evidence: '证据包', download: '下载',
    downloadFailed: '证据包下载失败，请稍后重试', all: '全部', total: '共 {n} 条', more: '加载更多',
    kinds: { alarm: '报警', finding: '线上抽检' },
    categories: { elevator: '电梯', boiler: '锅炉', kitchen: '明厨亮灶' },
    states: { open: '待处理', rectifying: '整改中', rectified: '已整改待核查', closed: '已销号' },
  },
};
