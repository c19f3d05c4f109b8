import type { sharingZh } from './sharing.zh';

/** English for the sharing pages, typed against sharing.zh.ts: a missing or extra key fails the type check. */
export const sharingEn: Record<keyof typeof sharingZh, string> = {};
