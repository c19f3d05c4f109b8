import { catalogEn } from './messages/catalog.en.js';
import { cliEn } from './messages/cli.en.js';
import { datasetsEn } from './messages/datasets.en.js';
import { commonEn } from './messages/common.en.js';
import { identityEn } from './messages/identity.en.js';
import { ledgerEn } from './messages/ledger.en.js';
import { sharingEn } from './messages/sharing.en.js';
import type { zh } from './messages.zh.js';

/** English messages, each capability's in messages/<capability>.en.ts. */
export const en: Record<keyof typeof zh, string> = {
  ...commonEn,
  ...identityEn,
  ...catalogEn,
  ...datasetsEn,
  ...ledgerEn,
  ...sharingEn,
  ...cliEn,
};
