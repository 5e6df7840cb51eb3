import type { RouteRecordRaw } from 'vue-router';

/** 报警中心, 统计分析 and 维保检验日历 (issue #16): every role, in scope (the server answers 404 for an alarm out of scope). */
export const alarmRoutes: RouteRecordRaw[] = [
  { path: 'alarms', name: 'alarms', component: () => import('@/views/alarms/AlarmsView.vue'), meta: { title: 'alarm.menu' } },
  { path: 'alarms/:id', name: 'alarm', component: () => import('@/views/alarm/AlarmDetailView.vue'), props: true, meta: { title: 'alarm.detailTitle' } },
  { path: 'stats', name: 'stats', component: () => import('@/views/stats/StatsView.vue'), meta: { title: 'stats.menu' } },
  { path: 'calendar', name: 'calendar', component: () => import('@/views/calendar/CalendarView.vue'), meta: { title: 'calendar.menu' } },
];
