import type { RouteRecordRaw } from 'vue-router';

/** Console pages of the admin area, listed in the navigation under their `section`. */
export const adminPages: RouteRecordRaw[] = [
  {
    path: 'admin/rules',
    name: 'admin-rules',
    component: () => import('./RegionRulesView.vue'),
    // Everyone who reads sharing sees the rules; only the data bureau's approvers change them.
    meta: { section: 'admin', auth: true, anyOf: ['share.decide', 'share.read'], title: 'admin.nav.rules' },
  },
  {
    path: 'admin/calendar',
    name: 'admin-calendar',
    component: () => import('./CalendarView.vue'),
    meta: {
      section: 'admin',
      auth: true,
      anyOf: ['share.decide', 'share.read'],
      title: 'admin.nav.calendar',
    },
  },
];
