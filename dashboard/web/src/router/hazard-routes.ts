import type { RouteRecordRaw } from 'vue-router';

/** 隐患台账: every role sees the hazards in its scope (the server decides which). */
export const hazardRoutes: RouteRecordRaw[] = [
  { path: 'hazards', name: 'hazards', component: () => import('@/views/hazards/HazardsView.vue'), meta: { title: 'hazards.title' } },
];
