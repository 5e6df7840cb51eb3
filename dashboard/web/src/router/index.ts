import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { setUnauthorizedHandler } from '@/api/http';
import type { Role } from '@/api/types';
import { useSession } from '@/stores/session';
import { alarmRoutes } from './alarm-routes';
import { hazardRoutes } from './hazard-routes';
import { kitchenRoutes } from './kitchen-routes';
import { registryRoutes } from './registry-routes';
import { screenRoutes } from './screen-routes';

declare module 'vue-router' {
  interface RouteMeta {
    /** reachable without a session */
    public?: boolean;
    /** roles that may open it (menus hide it from the others; the server enforces it anyway) */
    roles?: Role[];
    /** i18n key of the title (breadcrumb, document title) */
    title?: string;
  }
}

const routes: RouteRecordRaw[] = [
  ...screenRoutes,
  { path: '/login', name: 'login', component: () => import('@/views/login/LoginView.vue'), meta: { public: true, title: 'login.title' } },
  {
    path: '/',
    component: () => import('@/layout/AppLayout.vue'),
    redirect: '/board',
    children: [
      { path: 'board', name: 'board', component: () => import('@/views/board/BoardView.vue'), meta: { title: 'menu.board' } },
      { path: 'devices/:id', name: 'device', component: () => import('@/views/device/DeviceFileView.vue'), props: true, meta: { title: 'device.title' } },
      ...alarmRoutes,
      ...registryRoutes,
      ...hazardRoutes,
      ...kitchenRoutes,
      { path: 'account', name: 'account', component: () => import('@/views/account/AccountView.vue'), meta: { title: 'menu.account' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { title: 'notFound.title' } },
    ],
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  const session = useSession();
  // the server unreachable: treat as signed out; the login page says what went wrong on the next attempt
  if (!session.checked) await session.load().catch(() => null);
  if (to.meta.public) return to.name === 'login' && session.user ? { path: '/board' } : true;
  if (!session.user) return { name: 'login', query: to.fullPath !== '/board' && to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  // every level that names roles must admit the user (a child may narrow its parent's: the viewing audit is admins')
  if (to.matched.some((r) => r.meta.roles && !session.can(...r.meta.roles))) return { name: 'not-found', params: { pathMatch: to.path.slice(1).split('/') } };
  return true;
});

// a 401 from any API call: the session expired or was revoked (password changed, user disabled)
setUnauthorizedHandler(() => {
  useSession().expired();
  const current = router.currentRoute.value;
  if (!current.meta.public) void router.replace({ name: 'login', query: { redirect: current.fullPath } });
});
