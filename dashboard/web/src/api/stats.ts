import type { AlarmStats as AlarmStatsT } from '../../../src/api/alarms/stats';

/** `GET /stats/alarms`: the server's own type. */
export type AlarmStats = AlarmStatsT;
export type StatsGroup = AlarmStats['total'];
export type GroupBy = 'district' | 'unit' | 'company';
