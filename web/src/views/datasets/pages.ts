import type { RouteRecordRaw } from 'vue-router';

/** Console pages of the datasets area, listed in the navigation under their `section`. */
export const datasetsPages: RouteRecordRaw[] = [
  {
    path: 'datasets/import',
    name: 'dataset-import',
    component: () => import('./ImportWizardView.vue'),
    meta: { section: 'catalog', auth: true, anyOf: ['dataset.manage'], title: 'datasets.nav.import' },
  },
  {
    path: 'datasets/:id/quarantine',
    name: 'dataset-quarantine',
    component: () => import('./QuarantineView.vue'),
    meta: {
      section: 'catalog',
      auth: true,
      anyOf: ['dataset.manage'],
      title: 'datasets.quarantine.title',
      hidden: true,
    },
  },
];
