import type { RouteRecordRaw } from 'vue-router';

/** Console pages of the sharing area, listed in the navigation under their `section`. */
export const sharingPages: RouteRecordRaw[] = [];
