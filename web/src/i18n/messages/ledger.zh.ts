/** 简体中文：ledger 页面。Keys are prefixed with the area; ledger.en.ts must have every one of them. */
export const ledgerZh = {} as const;
