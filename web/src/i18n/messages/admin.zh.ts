/** 简体中文：admin 页面。Keys are prefixed with the area; admin.en.ts must have every one of them. */
export const adminZh = {} as const;
