import type { RouteRecordRaw } from 'vue-router';

/** 数据大屏: a page of its own (no menu, no top bar), for the duty room's screen; signed in like every page. */
export const screenRoutes: RouteRecordRaw[] = [
  { path: '/screen', name: 'screen', component: () => import('@/views/screen/ScreenView.vue'), meta: { title: 'screen.title' } },
];
