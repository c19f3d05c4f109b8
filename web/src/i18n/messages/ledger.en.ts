import type { ledgerZh } from './ledger.zh';

/** English for the ledger pages, typed against ledger.zh.ts: a missing or extra key fails the type check. */
export const ledgerEn: Record<keyof typeof ledgerZh, string> = {};
