import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createServices, type Services } from '../../src/container.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { loadConfig } from '../../src/platform/config.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';
import { type LoadResult, runLoad } from '../loadgen.js';
import { bareApp, listenLocal } from '../server.js';
import { type BenchStore, withBenchStore } from '../storage.js';
import { round, type Suite, type SuiteContext } from '../suite.js';

/** The endpoint: it does little besides authenticate, so it prices auth + routing + serialisation. */
const ME = '/api/v1/auth/me';
/** Bare and app are measured in alternating slices, so drift in machine speed hits both alike. */
const ROUNDS = 2;

interface Target {
  url: string;
  headers?: Record<string, string>;
}

/** An org, an app and an API key, created through the services as the operator would. */
async function issueKey(services: Services): Promise<string> {
  const org = await services.orgs.create(SYSTEM, { code: 'bench', name: '基准测试机构', kind: 'department' });
  const app = await services.apps.create(SYSTEM, { name: 'bench', orgId: org.id });
  return (await services.apps.createKey(SYSTEM, app.id, { name: 'bench' })).secret;
}

/** The real app over a migrated store, listening, with a key that authenticates. */
async function withGovhub<T>(store: BenchStore, fn: (target: Target) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl: store.databaseUrl, dataDir: store.dataDir });
  let app: FastifyInstance | undefined;
  try {
    await migrateToLatest(database.db);
    // The limiter stays on (it runs on every request) but with limits the run cannot reach.
    const overrides = { databaseUrl: store.databaseUrl, dataDir: store.dataDir, logLevel: 'silent' };
    const rateLimit = { perIpPerMinute: 1e9, perKeyPerMinute: 1e9, failedCredentialsPerIpPerMinute: 1e9 };
    const services = createServices(database, loadConfig({ GOVHUB_LANG: 'en' }, { ...overrides, rateLimit }));
    const headers = { 'x-api-key': await issueKey(services) };
    app = await buildApp(services, { logger: false });
    const url = `${await listenLocal(app)}${ME}`;
    const probe = await fetch(url, { headers });
    if (probe.status !== 200) {
      throw new Error(`GET ${ME} answered ${probe.status}: ${await probe.text()}`);
    }
    return await fn({ url, headers });
  } finally {
    await app?.close();
    await database.close();
  }
}

const mean = (rs: LoadResult[], f: (r: LoadResult) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;

async function compare(ctx: SuiteContext, bare: Target, real: Target) {
  const slice = { ...ctx.load, durationS: ctx.load.durationS / ROUNDS };
  const bares: LoadResult[] = [];
  const reals: LoadResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    bares.push(await runLoad({ ...slice, ...bare }));
    reals.push(await runLoad({ ...slice, ...real }));
  }
  const rps = mean(reals, (r) => r.rps);
  const bareRps = mean(bares, (r) => r.rps);
  const cpu = mean(reals, (r) => r.cpuUsPerReq);
  const bareCpu = mean(bares, (r) => r.cpuUsPerReq);
  return {
    rps: round(rps, 0),
    p99_ms: round(Math.max(...reals.map((r) => r.p99Ms))),
    bare_rps: round(bareRps, 0),
    ratio: round(rps / bareRps, 3),
    cpu_us_per_req: round(cpu, 1),
    bare_cpu_us_per_req: round(bareCpu, 1),
    cpu_ratio: round(bareCpu / cpu, 3),
  };
}

/** The real app serving an API-key request, against a bare route in the same process and run. */
export const auth: Suite = {
  name: 'auth',
  async run(ctx) {
    const bare = await bareApp();
    try {
      const bareTarget = { url: `${await listenLocal(bare)}/hello` };
      return await withBenchStore('auth', (store) =>
        withGovhub(store, (real) => compare(ctx, bareTarget, real)),
      );
    } finally {
      await bare.close();
    }
  },
};
