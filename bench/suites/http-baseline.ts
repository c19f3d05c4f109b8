import { PGlite } from '@electric-sql/pglite';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { runLoad } from '../loadgen.js';
import { bareApp, listenLocal } from '../server.js';
import { type BenchStore, withBenchStore } from '../storage.js';
import { round, type Suite, type SuiteContext } from '../suite.js';

/** Rows in the throwaway table the point query reads. */
const ROWS = 100_000;

const CREATE = `create table bench_point (
  id integer primary key, id_number text not null, name text not null, phone text not null,
  district text not null, born date not null, amount integer not null)`;
const FILL = `insert into bench_point
  select g, '510104' || lpad(g::text, 12, '0'), '居民' || g, '138' || lpad(g::text, 8, '0'),
    (array['锦江区','青羊区','金牛区','武侯区','成华区'])[1 + g % 5], date '1960-01-01' + g % 20000, g % 1000
  from generate_series(1, ${ROWS}) g`;
const POINT = 'select id, id_number, name, phone, district, born, amount from bench_point where id = $1';

interface PointSource {
  query(id: number): Promise<unknown>;
  close(): Promise<void>;
}

/** PostgreSQL: a plain `pg` pool of 10 (the app's default pool size), no query builder. */
async function pgSource(url: string): Promise<PointSource> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(CREATE);
  await pool.query(FILL);
  await pool.query('analyze bench_point');
  return {
    query: async (id) => (await pool.query(POINT, [id])).rows[0],
    close: () => pool.end(),
  };
}

/** Embedded: PGlite has one connection and no pool, so queries go to it directly, one at a time. */
async function pgliteSource(dataDir: string): Promise<PointSource> {
  const pglite = await PGlite.create(dataDir);
  await pglite.exec(CREATE);
  await pglite.exec(FILL);
  await pglite.exec('analyze bench_point');
  return {
    query: async (id) => (await pglite.query(POINT, [id])).rows[0],
    close: () => pglite.close(),
  };
}

function pointApp(source: PointSource): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get<{ Params: { id: string } }>('/point/:id', async (request, reply) => {
    const row = await source.query(Number(request.params.id));
    return row ?? reply.status(404).send({ error: 'not found' });
  });
  return app;
}

async function measureHello(ctx: SuiteContext) {
  const app = await bareApp();
  try {
    return await runLoad({ ...ctx.load, url: `${await listenLocal(app)}/hello` });
  } finally {
    await app.close();
  }
}

/** The bare point query baseline on a given store (also run by the data_api suite, in the same run). */
export async function measurePoint(ctx: SuiteContext, store: BenchStore) {
  const source = store.databaseUrl ? await pgSource(store.databaseUrl) : await pgliteSource(store.dataDir);
  const app = pointApp(source);
  try {
    return await runLoad({ ...ctx.load, url: `${await listenLocal(app)}/point/:id`, idRange: ROWS });
  } finally {
    await app.close();
    await source.close();
  }
}

/** The ceilings: a bare route, and a bare route plus one indexed point query. */
export const httpBaseline: Suite = {
  name: 'http_baseline',
  async run(ctx) {
    const hello = await measureHello(ctx);
    const point = await withBenchStore('baseline', (store) => measurePoint(ctx, store));
    return {
      hello_rps: round(hello.rps, 0),
      hello_p99_ms: round(hello.p99Ms),
      hello_cpu_us_per_req: round(hello.cpuUsPerReq, 1),
      pg_point_rps: round(point.rps, 0),
      pg_point_p99_ms: round(point.p99Ms),
      pg_point_cpu_us_per_req: round(point.cpuUsPerReq, 1),
    };
  },
};
