/** 简体中文：sharing 页面。Keys are prefixed with the area; sharing.en.ts must have every one of them. */
export const sharingZh = {} as const;
