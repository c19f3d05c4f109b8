/** 简体中文：datasets 页面。Keys are prefixed with the area; datasets.en.ts must have every one of them. */
export const datasetsZh = {} as const;
