import type { catalogZh } from './catalog.zh.js';

/** 政务数据目录 / catalog (English). */
export const catalogEn: Record<keyof typeof catalogZh, string> = {
  'error.resourceNotFound': 'Resource not found: {ref}',
  'error.resourceVersionNotFound': 'Resource {ref} has no version {version}',
  'error.resourceInvalid': 'The resource has {count} invalid field(s); see details',
  'error.resourceState': 'The resource is {status}; {action} is not possible',
  'error.resourceDeprecated':
    'Resource {code} is deprecated and cannot be requested (successor: {successor})',
  'error.catalogBureauOnly': 'Only the data bureau reviews and publishes the catalog',
  'error.catalogSelfReview': 'You cannot review a resource you submitted',
  'error.catalogCommentRequired': 'A comment or reason is required',
  'error.dutyExists': 'The duty list already has "{name}"',
  'error.demandNotFound': 'Demand not found: {ref}',
  'error.sheetUnreadable': 'The cataloguing sheet cannot be read (xlsx expected)',
};
