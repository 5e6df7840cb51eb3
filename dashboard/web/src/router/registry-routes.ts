import type { RouteRecordRaw } from 'vue-router';

/** 登记管理: admins write, inspectors read (the server enforces both). */
export const registryRoutes: RouteRecordRaw[] = [
  {
    path: 'registry',
    redirect: '/registry/units',
    meta: { roles: ['admin', 'inspector'], title: 'menu.registry' },
    children: [
      { path: 'units', name: 'registry-units', component: () => import('@/views/registry/UnitsPage.vue'), meta: { title: 'menu.units' } },
      { path: 'devices', name: 'registry-devices', component: () => import('@/views/registry/DevicesPage.vue'), meta: { title: 'menu.devices' } },
      { path: 'companies', name: 'registry-companies', component: () => import('@/views/registry/CompaniesPage.vue'), meta: { title: 'menu.companies' } },
      { path: 'kitchens', name: 'registry-kitchens', component: () => import('@/views/registry/KitchensPage.vue'), meta: { title: 'menu.kitchens' } },
      { path: 'cameras', name: 'registry-cameras', component: () => import('@/views/registry/CamerasPage.vue'), meta: { title: 'menu.cameras' } },
      { path: 'users', name: 'registry-users', component: () => import('@/views/registry/UsersPage.vue'), meta: { title: 'menu.users' } },
    ],
  },
];
