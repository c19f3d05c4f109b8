import type { datasetsZh } from './datasets.zh';

/** English for the datasets pages, typed against datasets.zh.ts: a missing or extra key fails the type check. */
export const datasetsEn: Record<keyof typeof datasetsZh, string> = {};
