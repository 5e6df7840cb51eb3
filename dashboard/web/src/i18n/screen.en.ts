import type { screenZhCN } from './screen.zh-cn';

/** Big screen messages in English: the same keys as screen.zh-cn.ts. */
export const screenEn: typeof screenZhCN = {
  screen: {
    title: 'Big screen', heading: '{name} · Special equipment supervision', asOf: 'Data as of', devices: 'Devices', online: 'Online', onlineRate: 'Online rate', inAlarm: 'In alarm',
    alarmsToday: 'Alarms today', activeAlarms: 'Active alarms', openAlarms: 'Unacknowledged', criticalActive: 'Critical',
    trapped: 'Trapped passengers (last {days} days)', trappedCount: 'Trapped', response3m: '3-min response', arrival30m: '30-min arrival', toSite: 'Avg. to site', toRelease: 'Avg. to release',
    ticker: 'Live alarms', ranking: 'Grids by alarms (30 days)', map: 'District grids (schematic)', camera: 'Kitchen patrol', noCamera: 'No cameras in the district', noAlarms: 'No alarms',
    minutes: '{n} min', live: 'live', reconnecting: 'reconnecting', alarms: 'alarms', devicesShort: 'devices',
  },
};
