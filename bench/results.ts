import fs from 'node:fs/promises';
import type { StorageKind } from '../src/platform/db/database.js';
import type { MachineInfo } from './machine.js';
import { RESULTS_FILE } from './paths.js';

export type Metrics = Record<string, number>;

/**
 * bench/results.json. `suites` holds numbers only; `storage` says which engine each suite last ran
 * on and `measuredAt` when, because a file merged from several runs may mix the two. `machine.postgres`
 * names the engine of the latest run, `engines` the version last seen for each storage kind.
 */
export interface Results {
  machine: MachineInfo;
  storage: Record<string, StorageKind>;
  engines: Partial<Record<StorageKind, string>>;
  measuredAt: Record<string, string>;
  suites: Record<string, Metrics>;
}

async function readExisting(): Promise<Partial<Results>> {
  try {
    return JSON.parse(await fs.readFile(RESULTS_FILE, 'utf8')) as Partial<Results>;
  } catch {
    return {};
  }
}

/** Merges this run's suites into the file, leaving the suites it did not run as they were. */
export async function mergeResults(
  machine: MachineInfo,
  kind: StorageKind,
  measured: Record<string, Metrics>,
): Promise<Results> {
  const old = await readExisting();
  const now = new Date().toISOString();
  const names = Object.keys(measured);
  const results: Results = {
    machine,
    storage: { ...old.storage, ...Object.fromEntries(names.map((n) => [n, kind])) },
    engines: { ...old.engines, [kind]: machine.postgres },
    measuredAt: { ...old.measuredAt, ...Object.fromEntries(names.map((n) => [n, now])) },
    suites: { ...old.suites, ...measured },
  };
  await fs.writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}
