// `npm run bench [suite...]`: runs the named suites (all by default) on PostgreSQL when DATABASE_URL
// is set, else on embedded PGlite, merges the figures into bench/results.json and prints a summary.
import os from 'node:os';
import { machineInfo } from './machine.js';
import { loadSettings } from './options.js';
import { RESULTS_FILE } from './paths.js';
import { type Metrics, mergeResults } from './results.js';
import { storageKind } from './storage.js';
import type { Suite } from './suite.js';
import { auth } from './suites/auth.js';
import { httpBaseline } from './suites/http-baseline.js';
import { run as dataApi } from './suites/data-api.js';
import { run as ingest } from './suites/ingest.js';
import { run as ledger } from './suites/ledger.js';
import { run as masking } from './suites/masking.js';
import { run as search } from './suites/search.js';
import { run as stream } from './suites/stream.js';
import { run as scan } from './suites/scan.js';
import { run as web } from './suites/web.js';
import { startup } from './suites/startup.js';
import { formatSummary } from './summary.js';

const SUITES: Suite[] = [
  httpBaseline,
  auth,
  startup,
  // Suites that need no server: one exported `run()` each.
  { name: 'ingest', run: () => ingest() },
  { name: 'scan', run: () => scan() },
  { name: 'search', run: () => search() },
  { name: 'ledger', run: () => ledger() },
  { name: 'masking', run: () => masking() },
  { name: 'data_api', run: (ctx) => dataApi(ctx) },
  { name: 'stream', run: () => stream() },
  { name: 'web', run: () => web() },
];

function pick(names: string[]): Suite[] {
  if (names.length === 0) {
    return SUITES;
  }
  const unknown = names.filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown suite(s): ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}\n`,
    );
    process.exit(2);
  }
  return SUITES.filter((s) => names.includes(s.name));
}

async function main(): Promise<void> {
  const suites = pick(process.argv.slice(2));
  const loadAtStart = os.loadavg()[0] ?? 0;
  const kind = storageKind();
  const load = loadSettings();
  const machine = await machineInfo(process.env.DATABASE_URL);
  const measured: Record<string, Metrics> = {};
  const failed: Record<string, string> = {};
  for (const suite of suites) {
    process.stderr.write(`bench: ${suite.name} on ${kind} storage…\n`);
    try {
      measured[suite.name] = await suite.run({ kind, load });
    } catch (e) {
      failed[suite.name] = e instanceof Error ? e.message : String(e);
    }
  }
  if (Object.keys(measured).length > 0) {
    await mergeResults(machine, kind, measured);
  }
  process.stdout.write(formatSummary(machine, kind, measured, failed, loadAtStart));
  process.stdout.write(`results: ${RESULTS_FILE}\n`);
  process.exitCode = Object.keys(failed).length > 0 ? 1 : 0;
}

await main();
