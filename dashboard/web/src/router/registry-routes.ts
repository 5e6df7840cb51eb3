import type { RouteRecordRaw } from 'vue-router';

const page = () => import('@/views/registry/RegistryPage.vue');
const PAGES = [
  ['units', 'menu.units'],
  ['devices', 'menu.devices'],
  ['companies', 'menu.companies'],
  ['kitchens', 'menu.kitchens'],
  ['cameras', 'menu.cameras'],
  ['users', 'menu.users'],
] as const;

/** 登记管理: admins write, inspectors read (the server enforces both). One page, one resource description each. */
export const registryRoutes: RouteRecordRaw[] = [
  {
    path: 'registry',
    redirect: '/registry/units',
    meta: { roles: ['admin', 'inspector'], title: 'menu.registry' },
    children: PAGES.map(([name, title]) => ({ path: name, name: `registry-${name}`, component: page, props: { name }, meta: { title } })),
  },
];
