import type { RouteRecordRaw } from 'vue-router';

/** 明厨亮灶: the video wall, draws and spot-checks (inspectors, admins) and the viewing audit (admins); the server enforces them. */
export const kitchenRoutes: RouteRecordRaw[] = [
  {
    path: 'kitchens',
    redirect: '/kitchens/wall',
    meta: { roles: ['admin', 'inspector'], title: 'kmenu.kitchens' },
    children: [
      { path: 'wall', name: 'kitchen-wall', component: () => import('@/views/kitchens/wall/WallView.vue'), meta: { title: 'kmenu.wall' } },
      { path: 'draws', name: 'kitchen-draws', component: () => import('@/views/kitchens/draws/DrawsView.vue'), meta: { title: 'kmenu.draws' } },
      { path: 'spot-checks/:id', name: 'spot-check', component: () => import('@/views/kitchens/spot-checks/SpotCheckView.vue'), props: true, meta: { title: 'kmenu.spotCheck' } },
      { path: 'playback', name: 'kitchen-playback', component: () => import('@/views/kitchens/playback/PlaybackView.vue'), meta: { title: 'kmenu.playback' } },
      { path: 'viewings', name: 'kitchen-viewings', component: () => import('@/views/kitchens/ViewingsView.vue'), meta: { title: 'kmenu.viewings', roles: ['admin'] } },
    ],
  },
];
