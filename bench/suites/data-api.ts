/**
 * Bench suite `data_api`: a point lookup by key through the whole governed data API (HTTP, API key, grant
 * decision, filter AND push-down, masking, meter, access event, receipt) vs the same lookup as a bare SQL point
 * query behind a bare Fastify route, on the same store in the same run. Metrics: pipeline_rps, pipeline_p99_ms,
 * bare_rps, ratio (target ≥ 0.5). The load generator runs flat out (it does not pace at 1,000 req/s), so p99 is
 * measured at the pipeline's own maximum rate; the key is fixed (the loader substitutes keys in the path only).
 */
import Fastify from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { runLoad } from '../loadgen.js';
import { loadSettings } from '../options.js';
import { listenLocal } from '../server.js';
import { withBenchStore } from '../storage.js';
import { sharingBenchWorld } from './sharing-world.js';

const ROWS = Number(process.env.BENCH_DATA_API_ROWS ?? 100_000);

export async function run(): Promise<Record<string, number>> {
  const load = loadSettings();
  return withBenchStore('data_api', async (store) => {
    const w = await sharingBenchWorld(store, ROWS);
    const db = w.services.database.db;
    const key = w.idNumber(4242);
    try {
      // The bare baseline: the same rows in a plain indexed table, one SQL point query per request.
      await sql`create table bench_point (id_number text primary key, name text, mobile text, birth_date date, district text, amount integer)`.execute(
        db,
      );
      await sql`insert into bench_point select '510104' || lpad(g::text, 12, '0'), '王伟', '13900000000', date '1960-01-01', '锦江区', g % 1000 from generate_series(1, ${ROWS}) g`.execute(
        db,
      );
      await sql`insert into bench_point values (${key}, '王伟', '13900000000', date '1960-01-01', '锦江区', 1) on conflict do nothing`.execute(
        db,
      );
      const bare = Fastify({ logger: false });
      bare.get('/point', async () => {
        const r =
          await sql`select id_number, name, mobile, birth_date, district, amount from bench_point where id_number = ${key}`.execute(
            db,
          );
        return r.rows[0];
      });
      const bareUrl = await listenLocal(bare);
      const bareResult = await runLoad({ ...load, url: `${bareUrl}/point` });
      await bare.close();

      const app = await buildApp(w.services, { logger: false });
      const a = await w.services.apps.create(SYSTEM, { name: 'bench-app', orgId: w.consumerOrgId });
      const { secret } = await w.services.apps.createKey(SYSTEM, a.id, { name: 'bench' });
      const url = await listenLocal(app);
      const filter = encodeURIComponent(JSON.stringify({ eq: ['id_number', key] }));
      const pipe = await runLoad({
        ...load,
        url: `${url}/api/v1/data/grants/${w.grantId}/rows?filter=${filter}`,
        headers: { 'x-api-key': secret },
      });
      await app.close();
      return {
        pipeline_rps: Math.round(pipe.rps),
        pipeline_p50_ms: pipe.p50Ms,
        pipeline_p99_ms: pipe.p99Ms,
        bare_rps: Math.round(bareResult.rps),
        ratio: Number((pipe.rps / bareResult.rps).toFixed(3)),
      };
    } finally {
      await w.close();
    }
  });
}
