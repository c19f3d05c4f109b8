import type { StorageKind } from '../src/platform/db/database.js';
import type { LoadSettings } from './options.js';
import type { Metrics } from './results.js';

export interface SuiteContext {
  kind: StorageKind;
  load: LoadSettings;
}

export interface Suite {
  name: string;
  run(ctx: SuiteContext): Promise<Metrics>;
}

/** Rounds for the results file: enough digits to compare runs, no false precision. */
export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
