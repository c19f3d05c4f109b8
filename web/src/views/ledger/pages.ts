import type { RouteRecordRaw } from 'vue-router';

/** Console pages of the ledger area, listed in the navigation under their `section`. */
export const ledgerPages: RouteRecordRaw[] = [];
