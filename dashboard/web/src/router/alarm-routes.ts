import type { RouteRecordRaw } from 'vue-router';

/** 报警中心 and 统计分析 (issue #16): every role, in scope (the server answers 404 for an alarm out of scope). */
export const alarmRoutes: RouteRecordRaw[] = [
  { path: 'alarms', name: 'alarms', component: () => import('@/views/alarms/AlarmsView.vue'), meta: { title: 'alarm.menu' } },
  { path: 'alarms/:id', name: 'alarm', component: () => import('@/views/alarm/AlarmDetailView.vue'), props: true, meta: { title: 'alarm.detailTitle' } },
  { path: 'stats', name: 'stats', component: () => import('@/views/stats/StatsView.vue'), meta: { title: 'stats.menu' } },
];
