import type { RouteRecordRaw } from 'vue-router';

/** 报警中心, 统计分析, 监管周报 and 维保检验日历 (issue #16): in scope (the server answers 404 for an alarm out of scope); the reports are admins' and inspectors'. */
export const alarmRoutes: RouteRecordRaw[] = [
  { path: 'alarms', name: 'alarms', component: () => import('@/views/alarms/AlarmsView.vue'), meta: { title: 'alarm.menu' } },
  { path: 'alarms/:id', name: 'alarm', component: () => import('@/views/alarm/AlarmDetailView.vue'), props: true, meta: { title: 'alarm.detailTitle' } },
  { path: 'stats', name: 'stats', component: () => import('@/views/stats/StatsView.vue'), meta: { title: 'stats.menu' } },
  // the lead inspector's SMS links to /reports/<district>/<week> (dashboard/src/reports/weekly-summary.ts)
  { path: 'reports/:districtId?/:week?', name: 'reports', component: () => import('@/views/reports/ReportsView.vue'), props: true, meta: { title: 'reports.menu', roles: ['admin', 'inspector'] } },
  { path: 'calendar', name: 'calendar', component: () => import('@/views/calendar/CalendarView.vue'), meta: { title: 'calendar.menu' } },
];
