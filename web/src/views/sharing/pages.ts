import type { RouteRecordRaw } from 'vue-router';

/** Console pages of the sharing area, listed in the navigation under their `section`. */
export const sharingPages: RouteRecordRaw[] = [
  {
    path: 'sharing/requests',
    name: 'sharing-requests',
    component: () => import('./RequestListView.vue'),
    meta: { section: 'sharing', auth: true, anyOf: ['share.request'], title: 'sharing.nav.requests' },
  },
  {
    path: 'sharing/new',
    name: 'sharing-new',
    component: () => import('./RequestNewView.vue'),
    meta: {
      section: 'sharing',
      auth: true,
      anyOf: ['share.request'],
      title: 'sharing.nav.new',
      hidden: true,
    },
  },
  {
    path: 'sharing/requests/:id',
    name: 'sharing-request',
    component: () => import('./RequestDetailView.vue'),
    meta: {
      section: 'sharing',
      auth: true,
      anyOf: ['share.read'],
      title: 'sharing.nav.request',
      hidden: true,
    },
  },
  {
    path: 'sharing/inbox',
    name: 'sharing-inbox',
    component: () => import('./InboxView.vue'),
    meta: { section: 'sharing', auth: true, anyOf: ['share.decide'], title: 'sharing.nav.inbox' },
  },
  {
    path: 'sharing/grants',
    name: 'sharing-grants',
    component: () => import('./GrantListView.vue'),
    meta: { section: 'sharing', auth: true, anyOf: ['share.read'], title: 'sharing.nav.grants' },
  },
  {
    path: 'sharing/grants/:id',
    name: 'sharing-grant',
    component: () => import('./GrantDetailView.vue'),
    meta: { section: 'sharing', auth: true, anyOf: ['share.read'], title: 'sharing.nav.grant', hidden: true },
  },
  {
    path: 'sharing/objections',
    name: 'sharing-objections',
    component: () => import('./ObjectionsView.vue'),
    meta: { section: 'sharing', auth: true, anyOf: ['share.read'], title: 'sharing.nav.objections' },
  },
];
