import type { RouteRecordRaw } from 'vue-router';

/** Console pages of the ledger area, listed in the navigation under their `section`. */
export const ledgerPages: RouteRecordRaw[] = [
  {
    path: 'ledger',
    name: 'ledger-explorer',
    component: () => import('./LedgerExplorerView.vue'),
    meta: { section: 'audit', auth: true, anyOf: ['event.read'], title: 'ledger.nav.explorer' },
  },
  {
    path: 'ledger/receipt',
    name: 'ledger-receipt',
    component: () => import('./LedgerReceiptView.vue'),
    meta: { section: 'audit', auth: true, anyOf: ['event.read'], title: 'ledger.nav.receipt' },
  },
  {
    path: 'ledger/consistency',
    name: 'ledger-consistency',
    component: () => import('./LedgerConsistencyView.vue'),
    meta: { section: 'audit', auth: true, anyOf: ['event.read'], title: 'ledger.nav.consistency' },
  },
];
