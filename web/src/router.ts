import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { MessageKey } from './i18n';
import { can, loadSession, session } from './session';
import { adminPages } from './views/admin/pages';
import { datasetsPages } from './views/datasets/pages';
import { ledgerPages } from './views/ledger/pages';
import { sharingPages } from './views/sharing/pages';

/** Navigation groups of the console sidebar, in display order. */
export const SECTIONS = ['overview', 'catalog', 'sharing', 'audit', 'admin'] as const;
export type Section = (typeof SECTIONS)[number];

declare module 'vue-router' {
  interface RouteMeta {
    /** Signed-in only. */
    auth?: boolean;
    /** Any one of these permissions opens the page (and shows it in the navigation). */
    anyOf?: string[];
    title?: MessageKey;
    /** Not listed in the console navigation (reached from another page). */
    hidden?: boolean;
    /** Sidebar group (default `overview`). */
    section?: Section;
  }
}

/** Console pages: the core ones here, each area's from its `views/<area>/pages.ts`. */
export const consolePages: RouteRecordRaw[] = [
  {
    path: '',
    name: 'dashboard',
    component: () => import('./views/DashboardView.vue'),
    meta: { auth: true, title: 'nav.dashboard' },
  },
  {
    path: 'orgs',
    name: 'orgs',
    component: () => import('./views/OrgsView.vue'),
    meta: { section: 'admin', auth: true, anyOf: ['org.create', 'org.update'], title: 'nav.orgs' },
  },
  {
    path: 'users',
    name: 'users',
    component: () => import('./views/UsersView.vue'),
    meta: {
      section: 'admin',
      auth: true,
      anyOf: ['user.create', 'user.roles.assign', 'user.credentials.manage'],
      title: 'nav.users',
    },
  },
  {
    path: 'apps',
    name: 'apps',
    component: () => import('./views/AppsView.vue'),
    meta: { section: 'admin', auth: true, anyOf: ['app.create', 'key.manage'], title: 'nav.apps' },
  },
  {
    path: 'catalog/mine',
    name: 'my-resources',
    component: () => import('./views/catalog/MyResourcesView.vue'),
    meta: { section: 'catalog', auth: true, anyOf: ['catalog.edit'], title: 'nav.myResources' },
  },
  {
    path: 'catalog/new',
    name: 'resource-new',
    component: () => import('./views/catalog/ResourceEditView.vue'),
    meta: { section: 'catalog', auth: true, anyOf: ['catalog.edit'], title: 'mine.new', hidden: true },
  },
  {
    path: 'catalog/edit/:id',
    name: 'resource-edit',
    component: () => import('./views/catalog/ResourceEditView.vue'),
    meta: { section: 'catalog', auth: true, anyOf: ['catalog.edit'], title: 'mine.new', hidden: true },
  },
  {
    path: 'catalog/review',
    name: 'review',
    component: () => import('./views/catalog/ReviewView.vue'),
    meta: { section: 'catalog', auth: true, anyOf: ['catalog.review'], title: 'nav.review' },
  },
  {
    path: 'catalog/lists',
    name: 'lists',
    component: () => import('./views/catalog/ListsView.vue'),
    meta: { section: 'catalog', auth: true, title: 'nav.lists' },
  },
  // The former 审计事件 page was the ledger explorer without proofs; old links land on the explorer.
  {
    path: 'events',
    name: 'events',
    redirect: { name: 'ledger-explorer' },
    meta: { hidden: true },
  },
  ...datasetsPages,
  ...sharingPages,
  ...ledgerPages,
  ...adminPages,
];

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'home', component: () => import('./views/HomeView.vue') },
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue') },
    {
      path: '/catalog',
      name: 'catalog',
      component: () => import('./views/catalog/CatalogSearchView.vue'),
    },
    {
      path: '/catalog/:id',
      name: 'resource',
      component: () => import('./views/catalog/ResourceView.vue'),
    },
    {
      path: '/console',
      component: () => import('./views/ConsoleLayout.vue'),
      children: consolePages,
    },
    { path: '/:rest(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
  ],
});

export function allowed(anyOf: string[] | undefined): boolean {
  return !anyOf || anyOf.some((p) => can(p));
}

router.beforeEach(async (to) => {
  if (!session.checked) {
    await loadSession();
  }
  if (to.meta.auth && !session.me) {
    return { name: 'login', query: { returnTo: to.fullPath } };
  }
  if (to.meta.auth && !allowed(to.meta.anyOf)) {
    return { name: 'dashboard', query: { denied: to.path } };
  }
  return true;
});
