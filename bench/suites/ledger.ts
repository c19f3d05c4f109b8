/**
 * Ledger suite (issue 6), on PostgreSQL (GOVHUB_BENCH_PG_URL, default the local `test` server; a fresh
 * database per run):
 * - `appends_per_s`: durable appends by 32 concurrent writers, 256 events per transaction through
 *   `recordMany` (how the access-log batcher appends: one fsync'd commit per batch);
 * - `appends_per_s_single`: the same with one event per transaction (`record`, as a capability's
 *   change does);
 * - `checkpoint_lag_p99_ms`: commit → covered by a signed checkpoint, sampled under that load with the
 *   integrator running every 100 ms as in `serve`;
 * - `proof_p99_ms`: inclusion proof generation (service call: tile reads + hashing) at random indices;
 * - `verify_entries_per_s`: `verifyStore` end to end (read, re-canonicalise, rehash, compare tiles, roots).
 * Targets: ≥ 20,000 appends/s, lag p99 ≤ 1,000 ms, proof p99 ≤ 5 ms, verify ≥ 200,000 entries/s.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Access } from '../../src/identity/access.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { ownershipRepository } from '../../src/identity/ownership.repository.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { ledgerOptionsFromEnv } from '../../src/ledger/options.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';

const PG_URL = process.env.GOVHUB_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.GOVHUB_BENCH_LEDGER_SECONDS ?? 5);

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<Record<string, number>> {
  const name = `govhub_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 34 });
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    const ledger = new LedgerService({
      db,
      access: new Access(ownershipRepository(db)),
      options: { ...ledgerOptionsFromEnv({}), intervalMs: 100 },
    });
    await ledger.init();
    const bg = ledger.background();
    bg.start();

    const load = async (perTrx: number, seconds: number, sample: boolean) => {
      let n = 0;
      let going = true;
      const lags: number[] = [];
      const writer = async () => {
        while (going) {
          const id = await db.transaction().execute(async (trx) => {
            const ids = await ledger.recordMany(
              trx,
              SYSTEM,
              Array.from({ length: perTrx }, () => ({
                type: 'bench.access',
                subjectType: 'grant',
                subjectId: 'g1',
                data: { rows: 10, queryDigest: 'ab'.repeat(32), responseDigest: 'cd'.repeat(32) },
              })),
            );
            return ids[ids.length - 1] as number;
          });
          n += perTrx;
          if (sample && Math.random() < 0.2) {
            const t0 = Date.now();
            void (async () => {
              for (;;) {
                const r = await ledger.receiptProof(id).catch(() => undefined);
                if (r) {
                  lags.push(Date.now() - t0);
                  return;
                }
                await sleep(10);
              }
            })();
          }
        }
      };
      const t0 = Date.now();
      const writers = Array.from({ length: 32 }, writer);
      await sleep(seconds * 1000);
      going = false;
      await Promise.all(writers);
      const rate = n / ((Date.now() - t0) / 1000);
      await sleep(1500);
      return { rate, lags };
    };

    const single = await load(1, Math.max(2, SECONDS / 2), false);
    const batched = await load(256, SECONDS, true);
    await bg.stop();

    const { size } = await ledger.status();
    const proofTimes: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = process.hrtime.bigint();
      await ledger.inclusionProof({ index: Math.floor(Math.random() * size) });
      proofTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const v0 = Date.now();
    const report = await ledger.verifyStore();
    const vs = (Date.now() - v0) / 1000;
    if (!report.ok) {
      throw new Error(`verify failed: ${JSON.stringify(report.problem)}`);
    }
    return {
      appends_per_s: Math.round(batched.rate),
      appends_per_s_single: Math.round(single.rate),
      checkpoint_lag_p99_ms: Math.round(p99(batched.lags)),
      proof_p99_ms: Number(p99(proofTimes).toFixed(2)),
      verify_entries_per_s: Math.round(report.size / vs),
      log_size: size,
    };
  } finally {
    await database.close();
    await sleep(200);
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  }
}

if (process.argv[1]?.endsWith('ledger.js') && process.argv.includes('--run')) {
  void run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
