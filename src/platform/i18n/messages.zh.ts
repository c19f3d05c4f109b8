import { catalogZh } from './messages/catalog.zh.js';
import { cliZh } from './messages/cli.zh.js';
import { datasetsZh } from './messages/datasets.zh.js';
import { commonZh } from './messages/common.zh.js';
import { identityZh } from './messages/identity.zh.js';
import { ledgerZh } from './messages/ledger.zh.js';
import { sharingZh } from './messages/sharing.zh.js';

/**
 * 中文消息（默认语言），each capability's in messages/<capability>.zh.ts. The English catalog is typed
 * against this one, so a key missing in either language fails the build.
 */
export const zh = {
  ...commonZh,
  ...identityZh,
  ...catalogZh,
  ...datasetsZh,
  ...ledgerZh,
  ...sharingZh,
  ...cliZh,
} as const;
