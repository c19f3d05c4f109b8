/**
 * Bench suite `search`: Chinese full-text catalog search through HTTP.
 *
 * Loads GOVHUB_BENCH_SEARCH_N generated resources (default 100,000, ≈15 items each) with COPY — pg-copy-streams
 * on PostgreSQL (GOVHUB_BENCH_PG_URL, a database it may fill), PGlite's COPY FROM '/dev/blob' when embedded
 * (the default) — then serves the API on 127.0.0.1 and issues anonymous Chinese queries (with facets) from
 * GOVHUB_BENCH_SEARCH_CONN concurrent keep-alive clients for GOVHUB_BENCH_SEARCH_S seconds.
 * The queries (bench/search-queries.ts): ≈2,000 distinct searches made of the resources' own words (one
 * to three terms, a fifth with a facet filter, prefix and mistyped forms), drawn by Zipf so that popular
 * searches repeat — p50/p95/p99_ms and qps; then, on a fresh server, searches that never repeat —
 * uncached_p50/p95_ms and uncached_qps (every request runs its query).
 * Reports load_s, p50_ms, p95_ms, p99_ms, qps and the uncached figures. Targets (issue 3): p95_ms ≤ 30 and qps ≥ 500 on PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { buildApp } from '../../src/app.js';
import { facetTokens } from '../../src/catalog/catalog.repository.js';
import { searchTokens } from '../../src/catalog/catalog.service.js';
import { createServices } from '../../src/container.js';
import { DEMO_CATALOG, demoResourceInputs } from '../../src/demo/demo-catalog.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { loadConfig } from '../../src/platform/config.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { distinctQueries, queryMix, vocabulary } from '../search-queries.js';
import { createBenchStore } from '../storage.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';

const SEARCH_LOAD_JS = fileURLToPath(new URL('../search-load.js', import.meta.url));

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);

const PLACES = [
  '锦江区',
  '青羊区',
  '金牛区',
  '武侯区',
  '成华区',
  '高新区',
  '天府新区',
  '双流区',
  '郫都区',
  '温江区',
];
const YEARS = ['2019', '2020', '2021', '2022', '2023', '2024', '2025'];

const COLUMNS = [
  'id',
  'code',
  'seq',
  'name',
  'category',
  'class_item',
  'class_catalog',
  'provider_org_id',
  'provider_code',
  'provider_name',
  'abstract',
  'format_category',
  'format_type',
  'items',
  'item_count',
  'share_type',
  'share_condition',
  'share_mode',
  'share_mode_type',
  'open_type',
  'open_condition',
  'update_cycle',
  'level',
  'status',
  'version',
  'publish_date',
  'updated_at',
];

const SEARCH_COLUMNS = [
  'resource_id',
  'tokens',
  'name',
  'code',
  'status',
  'version',
  'provider_org_id',
  'provider_name',
  'category',
  'share_type',
  'open_type',
  'format_category',
  'update_cycle',
  'level',
  'updated_at',
];

const q = (v: unknown) => (v === null || v === undefined ? '' : `"${String(v).replace(/"/g, '""')}"`);

/** A text[] literal for COPY csv. */
const textArray = (xs: string[]) =>
  `{${xs.map((x) => `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;

export async function run(): Promise<Record<string, number>> {
  const n = env('GOVHUB_BENCH_SEARCH_N', 100_000);
  const durationS = env('GOVHUB_BENCH_SEARCH_S', 10);
  const connections = env('GOVHUB_BENCH_SEARCH_CONN', 16);
  const warmupS = env('GOVHUB_BENCH_SEARCH_WARMUP_S', 2);
  // GOVHUB_BENCH_PG_URL: a database to fill (and keep); else DATABASE_URL (`npm run bench`): a fresh
  // database on that server, dropped afterwards; else embedded PGlite in memory.
  const store = process.env.GOVHUB_BENCH_PG_URL ? undefined : await createBenchStore('search');
  const pgUrl = process.env.GOVHUB_BENCH_PG_URL ?? store?.databaseUrl;
  try {
    return await measureOn(pgUrl, n, durationS, connections, warmupS);
  } finally {
    await store?.drop();
  }
}

async function measureOn(
  pgUrl: string | undefined,
  n: number,
  durationS: number,
  connections: number,
  warmupS: number,
): Promise<Record<string, number>> {
  const database = await openDatabase(
    pgUrl ? { databaseUrl: pgUrl, poolSize: 20 } : { dataDir: 'memory://' },
  );
  await migrateToLatest(database.db);
  const config = loadConfig({ GOVHUB_LANG: 'zh-CN', GOVHUB_LOG_LEVEL: 'silent' }, { dataDir: 'memory://' });
  const services = createServices(database, {
    ...config,
    rateLimit: { perIpPerMinute: 1e9, perKeyPerMinute: 1e9, failedCredentialsPerIpPerMinute: 1e9 },
  });

  // Providers: the twelve demo departments, templates: the demo resources.
  const depts = Object.keys(DEMO_CATALOG);
  const providers = [];
  for (const d of depts) {
    const code = `b${Date.now().toString(36)}${d}`;
    providers.push({
      dept: d,
      org: await services.orgs.create(SYSTEM, { code, name: `成都市${d}局`, kind: 'department' }),
    });
  }
  const templates = providers.flatMap((p) => demoResourceInputs(p.dept).map((i) => ({ p, i })));

  // GOVHUB_BENCH_SEARCH_REUSE=1: a database already filled by an earlier run is searched as it is
  // (for profiling the query side; load_s is then not measured).
  const existing = process.env.GOVHUB_BENCH_SEARCH_REUSE
    ? Number(
        (
          await (
            await import('kysely')
          ).sql<{
            n: string;
          }>`select count(*) as n from catalog_resource`.execute(database.db)
        ).rows[0]?.n ?? 0,
      )
    : 0;
  const t0 = performance.now();
  const now = new Date().toISOString();
  let items = 0;
  const batch = 10_000;
  for (let start = existing >= n ? n : 0; start < n; start += batch) {
    const lines: string[] = [];
    const index: string[] = [];
    for (let k = start; k < Math.min(n, start + batch); k++) {
      const { p, i } = templates[k % templates.length]!;
      const name = `${PLACES[k % PLACES.length]}${YEARS[(k >> 3) % YEARS.length]}年${i.name}（${k}）`;
      const its = i.items.map((it) => ({
        ...it,
        length: it.length ?? null,
        description: null,
        level: it.level ?? 'general',
        sourceOrgId: null,
      }));
      // pad to ≈15 items per resource, like real catalogs
      for (let x = its.length; x < 15; x++) {
        its.push({ ...its[x % its.length]!, name: `${its[x % its.length]!.name}${x}` });
      }
      items += its.length;
      const code = `${i.classification.category}${i.classification.item}${i.classification.catalog}/${String(k + 1).padStart(7, '0')}`;
      const id = randomUUID();
      const tokens = searchTokens(
        { ...i, name, items: its } as unknown as Parameters<typeof searchTokens>[0],
        code,
        p.org.name,
      );
      const facetValues = {
        provider_org_id: p.org.id,
        category: i.classification.category,
        share_type: i.shareType,
        open_type: i.openType,
        format_category: i.format.category,
        update_cycle: i.updateCycle,
        level: i.level ?? 'general',
      };
      index.push(
        [
          id,
          textArray([...tokens, ...facetTokens(facetValues)]),
          name,
          code,
          'published',
          1,
          p.org.id,
          p.org.name,
          i.classification.category,
          i.shareType,
          i.openType,
          i.format.category,
          i.updateCycle,
          i.level ?? 'general',
          now,
        ]
          .map(q)
          .join(','),
      );
      lines.push(
        [
          id,
          code,
          k + 1,
          name,
          i.classification.category,
          i.classification.item,
          i.classification.catalog,
          p.org.id,
          p.org.code,
          p.org.name,
          i.abstract,
          i.format.category,
          i.format.type,
          JSON.stringify(its),
          its.length,
          i.shareType,
          i.shareCondition ?? null,
          'platform',
          i.shareModeType ?? null,
          i.openType,
          i.openCondition ?? null,
          i.updateCycle,
          i.level ?? 'general',
          'published',
          1,
          '2026-01-01',
          now,
        ]
          .map(q)
          .join(','),
      );
    }
    // The resources, then their search index rows (as the repository writes them).
    for (const [table, cols, rows] of [
      ['catalog_resource', COLUMNS, lines],
      ['catalog_search', SEARCH_COLUMNS, index],
    ] as const) {
      const csv = `${rows.join('\n')}\n`;
      const copy = `COPY ${table} (${cols.join(', ')}) FROM STDIN WITH (FORMAT csv)`;
      if (database.pglite) {
        await database.pglite.query(copy.replace('STDIN', "'/dev/blob'"), [], { blob: new Blob([csv]) });
      } else {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await pipeline(Readable.from([csv]), client.query(copyFrom(copy)));
        await client.end();
      }
    }
  }
  if (existing >= n) {
    // reused
  } else if (database.pglite) {
    // The index table is vacuumed as autovacuum would soon do: hint bits set, so searches don't write.
    await database.pglite.query('analyze catalog_resource');
    await database.pglite.query('vacuum analyze catalog_search');
  } else {
    await (await import('kysely')).sql`analyze catalog_resource`.execute(database.db);
    await (await import('kysely')).sql`vacuum analyze catalog_search`.execute(database.db);
  }
  const loadS = (performance.now() - t0) / 1000;

  // The query mix: ≈GOVHUB_BENCH_SEARCH_QUERIES distinct searches from the resources' own words, drawn by
  // Zipf; and, for the uncached figures, searches that never repeat (none can come from the cache).
  const words = vocabulary(
    templates.map(({ p, i }) => ({
      name: i.name,
      texts: [i.abstract, p.org.name, ...i.items.map((it) => it.name)],
    })),
  );
  const facets = [
    { key: 'provider', values: providers.map((p) => p.org.id) },
    { key: 'shareType', values: ['unconditional', 'conditional'] },
    { key: 'openType', values: ['unconditional', 'conditional', 'none'] },
    { key: 'level', values: ['core', 'important', 'general'] },
    { key: 'updateCycle', values: [...new Set(templates.map((t) => t.i.updateCycle))] },
    { key: 'format', values: [...new Set(templates.map((t) => t.i.format.category))] },
  ];
  const mix = queryMix(words, [...PLACES, ...YEARS.map((y) => `${y}年`)], facets, {
    distinct: env('GOVHUB_BENCH_SEARCH_QUERIES', 2000),
    length: 50_000,
  });
  const fresh = distinctQueries(
    words,
    PLACES,
    facets,
    env('GOVHUB_BENCH_SEARCH_FRESH', 30_000),
    mix.distinct,
  );
  const measure = async (svc: typeof services, paths: string[]) => {
    const app = await buildApp(svc, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const cpu0 = process.cpuUsage();
    const r = await searchLoad({
      url: `http://127.0.0.1:${port}`,
      paths,
      connections,
      warmupS,
      durationS,
    });
    const cpu = process.cpuUsage(cpu0);
    await app.close();
    if (r.errors > 0 || r.non2xx > 0 || r.ok === 0) {
      throw new Error(`search load: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
    }
    return { ...r, cpuUsPerReq: Number(((cpu.user + cpu.system) / r.requests).toFixed(0)) };
  };
  const cached = await measure(services, mix.requests);
  // Searches that never repeat, on a fresh server (empty result cache): every request queries.
  // GOVHUB_BENCH_SEARCH_UNCACHED=0 skips it.
  const uncached =
    process.env.GOVHUB_BENCH_SEARCH_UNCACHED === '0'
      ? undefined
      : await measure(
          createServices(database, {
            ...config,
            rateLimit: { perIpPerMinute: 1e9, perKeyPerMinute: 1e9, failedCredentialsPerIpPerMinute: 1e9 },
          }),
          fresh,
        );
  await database.close();
  return {
    resources: n,
    items,
    ...(existing >= n ? {} : { load_s: Number(loadS.toFixed(2)) }),
    queries: mix.distinct.length,
    requests: cached.requests,
    qps: cached.qps,
    p50_ms: cached.p50_ms,
    p95_ms: cached.p95_ms,
    p99_ms: cached.p99_ms,
    cpu_us_per_req: cached.cpuUsPerReq,
    ...(uncached
      ? {
          uncached_qps: uncached.qps,
          uncached_p50_ms: uncached.p50_ms,
          uncached_p95_ms: uncached.p95_ms,
          uncached_cpu_us_per_req: uncached.cpuUsPerReq,
          uncached_distinct: fresh.length,
          ...(uncached.wrapped ? { uncached_repeated: 1 } : {}),
        }
      : {}),
  };
}

interface SearchLoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  qps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  issued: number;
  wrapped: boolean;
}

/** Runs bench/search-load.js (autocannon in a child process) and reads its one JSON line. */
function searchLoad(req: {
  url: string;
  paths: string[];
  connections: number;
  warmupS: number;
  durationS: number;
}): Promise<SearchLoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SEARCH_LOAD_JS], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(JSON.stringify(req));
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (req.warmupS + req.durationS + 30) * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`search load generator exited with ${code ?? 'a signal'}: ${err.trim()}`));
        return;
      }
      resolve(JSON.parse(out) as SearchLoadResult);
    });
  });
}

if (process.argv[1]?.endsWith('search.js')) {
  run().then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stderr.write(`${String(e instanceof Error ? e.stack : e)}\n`);
      process.exitCode = 1;
    },
  );
}
