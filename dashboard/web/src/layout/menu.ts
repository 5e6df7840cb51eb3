import { Bell, Calendar, Document, DataBoard, TrendCharts, Lock, OfficeBuilding, Setting, User, Tools, VideoCamera, Bowl, Cpu, Warning, Monitor, View, Finished, VideoPlay } from '@element-plus/icons-vue';
import type { Component } from 'vue';
import type { Role } from '@/api/types';

export interface MenuEntry {
  path: string;
  title: string;
  icon: Component;
  roles?: Role[];
  children?: MenuEntry[];
  /** shows the live count of active alarms (stores/alarms.ts) */
  badge?: 'alarms';
}

/** 明厨亮灶 (kitchen-routes.ts) */
const KITCHEN_MENU: MenuEntry[] = [
  { path: '/kitchens/wall', title: 'kmenu.wall', icon: VideoCamera },
  { path: '/kitchens/playback', title: 'kmenu.playback', icon: VideoPlay },
  { path: '/kitchens/draws', title: 'kmenu.draws', icon: Finished },
  { path: '/kitchens/viewings', title: 'kmenu.viewings', icon: View, roles: ['admin'] },
];

/** The side menu; an entry shows only to its roles (the router and the server check the same). */
export const MENU: MenuEntry[] = [
  { path: '/board', title: 'menu.board', icon: DataBoard },
  { path: '/alarms', title: 'alarm.menu', icon: Bell, badge: 'alarms' },
  { path: '/stats', title: 'stats.menu', icon: TrendCharts },
  { path: '/reports', title: 'reports.menu', icon: Document, roles: ['admin', 'inspector'] },
  { path: '/calendar', title: 'calendar.menu', icon: Calendar },
  { path: '/hazards', title: 'hazards.title', icon: Warning },
  { path: '/screen', title: 'screen.title', icon: Monitor },
  {
    path: '/registry',
    title: 'menu.registry',
    icon: Setting,
    roles: ['admin', 'inspector'],
    children: [
      { path: '/registry/units', title: 'menu.units', icon: OfficeBuilding },
      { path: '/registry/devices', title: 'menu.devices', icon: Cpu },
      { path: '/registry/companies', title: 'menu.companies', icon: Tools },
      { path: '/registry/kitchens', title: 'menu.kitchens', icon: Bowl },
      { path: '/registry/cameras', title: 'menu.cameras', icon: VideoCamera },
      { path: '/registry/users', title: 'menu.users', icon: User },
    ],
  },
  { path: '/kitchens', title: 'kmenu.kitchens', icon: Monitor, roles: ['admin', 'inspector'], children: KITCHEN_MENU },
  { path: '/account', title: 'menu.account', icon: Lock },
];

const allowed = (m: MenuEntry, role: Role | null) => !m.roles || (role !== null && m.roles.includes(role));
export const menuFor = (role: Role | null): MenuEntry[] =>
  MENU.filter((m) => allowed(m, role)).map((m) => (m.children ? { ...m, children: m.children.filter((c) => allowed(c, role)) } : m));
