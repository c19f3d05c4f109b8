import type { RouteRecordRaw } from 'vue-router';

/** Console pages of the admin area, listed in the navigation under their `section`. */
export const adminPages: RouteRecordRaw[] = [];
