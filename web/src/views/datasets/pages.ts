import type { RouteRecordRaw } from 'vue-router';

/** Console pages of the datasets area, listed in the navigation under their `section`. */
export const datasetsPages: RouteRecordRaw[] = [];
