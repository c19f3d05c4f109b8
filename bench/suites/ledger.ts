/**
 * Ledger suite (issue 6), on PostgreSQL (GOVHUB_BENCH_PG_URL, default the local `test` server; a fresh
 * database per run), writers, integrator and HTTP server in one process as in `serve`:
 * - `appends_per_s`: durable appends by 32 concurrent writers, 256 events per transaction through
 *   `recordMany` (how the access-log batcher appends: one fsync'd commit per batch);
 * - `appends_per_s_single`: the same with one event per transaction (`record`, as a capability's
 *   change does);
 * - `checkpoint_lag_p99_ms`: commit → covered by a signed checkpoint, for a random 20 % of the
 *   transactions under that load, with the integrator running every 100 ms as in `serve` (the probe
 *   listens for checkpoints instead of polling, so it adds no load of its own);
 * - `proof_p99_ms`: `GET /api/v1/ledger/proofs/inclusion?index=` over HTTP at random indices (the
 *   service call alone: `proof_p99_ms_service`);
 * - `verify_entries_per_s`: `verifyStore` end to end (read, rehash, compare tiles, roots, signatures)
 *   on a log of GOVHUB_BENCH_LEDGER_VERIFY_SIZE entries (default 1,000,000; appended in bulk first).
 * Targets: ≥ 20,000 appends/s, lag p99 ≤ 1,000 ms, proof p99 ≤ 5 ms, verify ≥ 200,000 entries/s.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { createServices } from '../../src/container.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { loadConfig } from '../../src/platform/config.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';
import { listenLocal } from '../server.js';

const PG_URL = process.env.GOVHUB_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.GOVHUB_BENCH_LEDGER_SECONDS ?? 5);
const VERIFY_SIZE = Number(process.env.GOVHUB_BENCH_LEDGER_VERIFY_SIZE ?? 1_000_000);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? Number.NaN;
};
const p99 = (xs: number[]) => pct(xs, 0.99);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const event = () => ({
  type: 'bench.access',
  subjectType: 'grant',
  subjectId: 'g1',
  data: { rows: 10, queryDigest: 'ab'.repeat(32), responseDigest: 'cd'.repeat(32) },
});

export async function run(): Promise<Record<string, number>> {
  const name = `govhub_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 36 });
  process.env.GOVHUB_LEDGER_INTERVAL_MS ??= '100';
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    const services = createServices(
      database,
      loadConfig(
        { GOVHUB_LANG: 'en', GOVHUB_LOG_LEVEL: 'silent', GOVHUB_RATE_LIMIT_IP: '1000000000' },
        { dataDir: 'memory://' },
      ),
    );
    const ledger = services.ledger;
    await ledger.init();
    const bg = ledger.background();
    bg.start();

    const load = async (perTrx: number, seconds: number, sample: boolean) => {
      let n = 0;
      let going = true;
      const lags: number[] = [];
      // Sampled events waiting for a checkpoint: id → commit time.
      const waiting = new Map<number, number>();
      const off = ledger.onCheckpoint((size) => {
        const now = Date.now();
        for (const [id, t0] of waiting) {
          void ledger.receipt(id).then((r) => {
            if (r && r.index < size && waiting.delete(id)) {
              lags.push(now - t0);
            }
          });
        }
      });
      const writer = async () => {
        while (going) {
          const id = await db.transaction().execute(async (trx) => {
            const ids = await ledger.recordMany(
              trx,
              SYSTEM,
              Array.from({ length: perTrx }, () => event()),
            );
            return ids[ids.length - 1] as number;
          });
          n += perTrx;
          if (sample && Math.random() < 0.2) {
            waiting.set(id, Date.now());
          }
        }
      };
      const t0 = Date.now();
      const writers = Array.from({ length: 32 }, writer);
      await sleep(seconds * 1000);
      going = false;
      await Promise.all(writers);
      const rate = n / ((Date.now() - t0) / 1000);
      for (let i = 0; i < 100 && waiting.size > 0; i++) {
        await sleep(100);
      }
      off();
      // Anything never covered counts as the whole wait.
      for (const t of waiting.values()) {
        lags.push(Date.now() - t);
      }
      return { rate, lags };
    };

    const single = await load(1, Math.max(2, SECONDS / 2), false);
    const batched = await load(256, SECONDS, true);

    const { size } = await ledger.status();
    const proofTimes: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = process.hrtime.bigint();
      await ledger.inclusionProof({ index: Math.floor(Math.random() * size) });
      proofTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const app = await buildApp(services, { logger: false });
    const base = await listenLocal(app);
    const httpTimes: number[] = [];
    try {
      for (let i = 0; i < 2200; i++) {
        const t0 = process.hrtime.bigint();
        const res = await fetch(
          `${base}/api/v1/ledger/proofs/inclusion?index=${Math.floor(Math.random() * size)}`,
        );
        await res.arrayBuffer();
        if (res.status !== 200) {
          throw new Error(`proof: HTTP ${res.status}`);
        }
        if (i >= 200) {
          httpTimes.push(Number(process.hrtime.bigint() - t0) / 1e6); // after warm-up
        }
      }
    } finally {
      await app.close();
    }

    // A large log for the verifier, appended in bulk (8 writers × 4,096 events per transaction).
    const gen0 = Date.now();
    let have = (await ledger.status()).size;
    while (have < VERIFY_SIZE) {
      const per = Math.min(4096, Math.ceil((VERIFY_SIZE - have) / 8));
      await Promise.all(
        Array.from({ length: 8 }, () =>
          db.transaction().execute((trx) =>
            ledger.recordMany(
              trx,
              SYSTEM,
              Array.from({ length: per }, () => event()),
            ),
          ),
        ),
      );
      await ledger.integrate();
      have = (await ledger.status()).size;
    }
    await bg.stop();
    const genS = (Date.now() - gen0) / 1000;
    const v0 = Date.now();
    const c0 = process.cpuUsage();
    const report = await ledger.verifyStore();
    const vs = (Date.now() - v0) / 1000;
    const c1 = process.cpuUsage(c0);
    const verifyCpu = (c1.user + c1.system) / 1e6;
    if (!report.ok) {
      throw new Error(`verify failed: ${JSON.stringify(report.problem)}`);
    }
    return {
      appends_per_s: Math.round(batched.rate),
      appends_per_s_single: Math.round(single.rate),
      checkpoint_lag_p99_ms: Math.round(p99(batched.lags)),
      checkpoint_lag_p50_ms: Math.round(pct(batched.lags, 0.5)),
      checkpoint_lag_samples: batched.lags.length,
      proof_p99_ms: Number(p99(httpTimes).toFixed(2)),
      proof_p50_ms: Number(pct(httpTimes, 0.5).toFixed(2)),
      proof_p99_ms_service: Number(p99(proofTimes).toFixed(2)),
      proof_p50_ms_service: Number(pct(proofTimes, 0.5).toFixed(2)),
      verify_entries_per_s: Math.round(report.size / vs),
      verify_s: Number(vs.toFixed(2)),
      verify_node_cpu_s: Number(verifyCpu.toFixed(2)),
      verify_log_size: report.size,
      verify_checkpoints: report.checkpoints,
      bulk_append_integrate_s: Number(genS.toFixed(1)),
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
