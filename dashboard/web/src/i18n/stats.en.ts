import type { statsZhCN } from './stats.zh-cn';

/** English of the statistics and calendar views (same keys as stats.zh-cn.ts). */
export const statsEn: typeof statsZhCN = {
  stats: {
    menu: 'Statistics', period: 'Period', groupBy: 'Group by', group: { district: 'District / grid', unit: 'Unit', company: 'Maintenance co.' },
    last7: 'Last 7 days', last30: 'Last 30 days', last90: 'Last 90 days', thisMonth: 'This month', lastMonth: 'Last month', district: 'District / grid', unspecified: '(none)', total: 'Total',
    kpi: {
      response3m: 'Trapped: 3-min response', arrival30m: 'Trapped: 30-min arrival', medianAck: 'Median time to acknowledge', closure: 'Rectification closure', trapped: '{n} trapped-passenger alarms',
      rectified: '{n} rectified', alarms: 'Alarms', acked: 'acknowledged', online: 'Devices online', onlineOf: '{online} of {total} online',
      overdue: 'Maintenance overdue', expiring: 'Inspection due in 30 days', expired: 'Inspection expired', devices: 'devices',
    },
    chart: { perDay: 'Alarms per day (type)', perDaySeverity: 'Alarms per day (severity)', worst: 'Top 10 repeat devices', sms: 'SMS per provider', byType: 'By type', bySeverity: 'By severity' },
    sms: { sent: 'sent', delivered: 'delivered', failed: 'failed' },
    col: { alarms: 'Alarms', medianAck: 'Median ack', trapped: 'Trapped', response: '3-min response', arrival: '30-min arrival', rectified: 'Rectified', closure: 'Closure', medianRectify: 'Median to fix' },
    table: 'By group', empty: 'No alarms in this period', minutes: '{m} min {s} s', hours: '{h} h {m} min',
  },
  reports: {
    menu: 'Weekly reports', title: 'Weekly reports', file: 'weekly report', week: 'Week (Monday to Sunday)', district: 'District', created: 'Generated', size: 'Size', download: 'Download',
    hint: "Every week each district's alarm statistics of the previous week (Monday to Sunday) are written as an Excel workbook; the district's lead inspector also gets an SMS summary.",
    none: 'No reports yet: the first is written when the next week begins', downloadFailed: 'Download failed, please try again later',
    missing: 'The report in the SMS ({district} {week}) does not exist or is outside your scope',
  },
  calendar: {
    menu: 'Maintenance calendar', maintenanceDue: 'Maintenance due', inspectionDue: 'Inspection due', overdue: 'Overdue', t30: 'within 30 days', t7: 'within 7 days',
    today: 'Today', prev: 'Previous', next: 'Next', legend: 'Legend', count: '{n} devices', none: 'Nothing due this month', device: 'Device', unit: 'Unit', due: 'Due', kind: 'What',
    overdueList: 'Overdue ({n})', dayList: 'Due on {day}', clickDay: 'Click a day to see its devices', lastDone: 'last maintained {d}',
  },
};
