import type { hazardsZhCN } from './hazards.zh-cn';

/** Hazard ledger messages in English: the same keys as hazards.zh-cn.ts. */
export const hazardsEn: typeof hazardsZhCN = {
  hazards: {
    title: 'Hazard ledger', kind: 'Source', category: 'Category', hazard: 'Hazard', subject: 'Subject', unit: 'Using unit', district: 'District',
    detectedAt: 'Detected', deadline: 'Deadline', state: 'State', overdue: 'Overdue', evidence: 'Evidence', download: 'Download',
    downloadFailed: 'The evidence bundle could not be downloaded; try again later', all: 'All', total: '{n} in total', more: 'Load more',
    kinds: { alarm: 'Alarm', finding: 'Spot check' },
    categories: { elevator: 'Elevator', boiler: 'Boiler', kitchen: 'Kitchen' },
    states: { open: 'Open', rectifying: 'Rectifying', rectified: 'Fix reported', closed: 'Closed' },
  },
};
