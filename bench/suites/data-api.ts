/**
 * Bench suite `data_api`: a point lookup by key through the whole governed data API (HTTP, API key, grant
 * decision, filter AND push-down, masking, access event with its receipt) with a random existing key per
 * request, against the bare point query of `http_baseline` (`pg_point_rps`: a bare Fastify route and one
 * indexed `select … where id = $1`) measured in the same run on the same storage kind.
 *
 * - `rps`, `ratio` (= rps / pg_point_rps, target ≥ 0.5): both loads flat out.
 * - `p99_ms` (target ≤ 25), `p50_ms`: the pipeline paced at a fixed 1,000 requests/s (autocannon
 *   `overallRate`), i.e. latency at the load rather than at saturation.
 * - Both after BENCH_DATA_API_WARMUP_S (default 15) seconds of unmeasured load on the fresh world.
 */
import { buildApp } from '../../src/app.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { runLoad } from '../loadgen.js';
import { listenLocal } from '../server.js';
import { withBenchStore } from '../storage.js';
import { round, type SuiteContext } from '../suite.js';
import { measurePoint } from './http-baseline.js';
import { sharingBenchWorld } from './sharing-world.js';

const ROWS = Number(process.env.BENCH_DATA_API_ROWS ?? 100_000);
/** Seconds of pipeline load before the measured runs (see below). */
const WARMUP_S = Number(process.env.BENCH_DATA_API_WARMUP_S ?? 15);
/** The paced load of the latency figure. */
const RATE = Number(process.env.BENCH_DATA_API_RATE ?? 1000);

export async function run(ctx: SuiteContext): Promise<Record<string, number>> {
  const point = await withBenchStore('data_api_point', (store) => measurePoint(ctx, store));
  return withBenchStore('data_api', async (store) => {
    const w = await sharingBenchWorld(store, ROWS);
    try {
      const app = await buildApp(w.services, { logger: false });
      const a = await w.services.apps.create(SYSTEM, { name: 'bench-app', orgId: w.consumerOrgId });
      const { secret } = await w.services.apps.createKey(SYSTEM, a.id, { name: 'bench' });
      const url = await listenLocal(app);
      // 2,000 random existing keys (they travel to the load process on its command line); `:key` in the URL is replaced by one of them on every request.
      const keys = Array.from({ length: 2000 }, () => w.idNumber(Math.floor(Math.random() * ROWS)));
      const filter = encodeURIComponent('{"eq":["id_number",":key"]}').replace('%3Akey', ':key');
      const req = {
        url: `${url}/api/v1/data/grants/${w.grantId}/rows?filter=${filter}`,
        headers: { 'x-api-key': secret },
        keys,
      };
      try {
        // Sanity: one lookup answers exactly the row of its key, so the load measures real lookups.
        const probe = await fetch(req.url.replace(':key', keys[0]!), { headers: req.headers });
        const got = (await probe.json()) as { rows?: unknown[] };
        if (probe.status !== 200 || got.rows?.length !== 1) {
          throw new Error(`point lookup answered ${probe.status} with ${got.rows?.length ?? 0} rows`);
        }
        // Steady state: right after building the world (a 100k-row import) the server answers its first
        // ≈20 s of load at about half the later rate with twice the CPU per request (measured: 505 → 734 →
        // 957 → 1,242 req/s in four consecutive 6 s runs), which the 2 s warm-up of each load does not cover.
        await runLoad({ ...ctx.load, ...req, warmupS: 0, durationS: WARMUP_S });
        const flat = await runLoad({ ...ctx.load, ...req });
        const paced = await runLoad({ ...ctx.load, ...req, rate: RATE });
        return {
          rps: round(flat.rps, 0),
          flat_p99_ms: round(flat.p99Ms),
          cpu_us_per_req: round(flat.cpuUsPerReq, 1),
          paced_rps: round(paced.rps, 0),
          p50_ms: round(paced.p50Ms),
          p99_ms: round(paced.p99Ms),
          pg_point_rps: round(point.rps, 0),
          ratio: round(flat.rps / point.rps, 3),
        };
      } finally {
        await app.close();
      }
    } finally {
      await w.close();
    }
  });
}
