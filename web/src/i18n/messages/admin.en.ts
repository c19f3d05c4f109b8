import type { adminZh } from './admin.zh';

/** English for the admin pages, typed against admin.zh.ts: a missing or extra key fails the type check. */
export const adminEn: Record<keyof typeof adminZh, string> = {};
