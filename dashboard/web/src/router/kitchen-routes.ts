import type { RouteRecordRaw } from 'vue-router';

/** 明厨亮灶: the video wall (inspectors, admins) and the viewing audit (admins); the server enforces both. */
export const kitchenRoutes: RouteRecordRaw[] = [
  {
    path: 'kitchens',
    redirect: '/kitchens/wall',
    meta: { roles: ['admin', 'inspector'], title: 'kmenu.kitchens' },
    children: [
      { path: 'wall', name: 'kitchen-wall', component: () => import('@/views/kitchens/wall/WallView.vue'), meta: { title: 'kmenu.wall' } },
      { path: 'viewings', name: 'kitchen-viewings', component: () => import('@/views/kitchens/ViewingsView.vue'), meta: { title: 'kmenu.viewings', roles: ['admin'] } },
    ],
  },
];
