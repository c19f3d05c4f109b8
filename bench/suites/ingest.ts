/**
 * Bench suite `ingest`: a generated 1 M-row CSV (resident ID, name, mobile, district, date, integer)
 * imported with inference, PII detection and validation into PostgreSQL, against plain COPY of the
 * same file into the same server in the same run. Metrics: rows_per_s, copy_rows_per_s, ratio,
 * peak_rss_mb, node_cpu_s_per_m_rows, and embedded_rows_per_s (PGlite, a smaller file).
 * Env: BENCH_INGEST_ROWS (default 1 000 000), GOVHUB_TEST_PG_URL.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { DatasetService } from '../../src/datasets/dataset.service.js';
import { idCheckChar } from '../../src/datasets/identifiers.js';
import type { CatalogResource, ItemDataType, ResourceCatalog } from '../../src/datasets/resource-port.js';
import { Access } from '../../src/identity/access.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { OrgService } from '../../src/identity/org.service.js';
import { ownershipRepository } from '../../src/identity/ownership.repository.js';
import { ledgerOptionsFromEnv } from '../../src/ledger/options.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { type Database, openDatabase } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';
import { SecretBox } from '../../src/platform/secrets.js';

const PG_URL = process.env.GOVHUB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

class MemoryCatalog implements ResourceCatalog {
  private readonly map = new Map<string, CatalogResource>();
  getResource(_a: unknown, ref: string): Promise<CatalogResource> {
    const r = this.map.get(ref);
    return r ? Promise.resolve(r) : Promise.reject(new Error(`no resource ${ref}`));
  }
  createResource(_a: unknown, input: Parameters<ResourceCatalog['createResource']>[1]) {
    const id = randomUUID();
    this.map.set(id, {
      id,
      code: id,
      name: input.name,
      providerOrgId: input.providerOrgId,
      status: 'draft',
      items: input.items.map((i) => ({ ...i, dataType: i.dataType as ItemDataType })),
    });
    return Promise.resolve({ id, code: id });
  }
}

const SURNAMES = '王李张刘陈杨黄赵吴周';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂';
const DISTRICTS = ['锦江区', '青羊区', '金牛区', '武侯区', '成华区', '龙泉驿区', '双流区', '郫都区'];

/** Writes the test file: valid identifiers throughout (the import must not reject any row). */
export async function generateCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('公民身份号码,姓名,手机号码,区县,登记日期,积分\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const y = 1950 + (i % 60);
    const m = 1 + (i % 12);
    const d = 1 + (i % 28);
    const body = `510104${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
    const id = body + idCheckChar(body);
    const name = `${SURNAMES[i % 10]}${GIVEN[(i * 7) % 24]}${i % 3 === 0 ? '' : GIVEN[(i * 13) % 24]}`;
    const mobile = `13${String(100000000 + ((i * 7919) % 899999999)).padStart(9, '0')}`;
    buf += `${id},${name},${mobile},${DISTRICTS[i % 8]},20${String(10 + (i % 15))}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')},${i % 100000}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) {
        await new Promise<void>((r) => out.once('drain', () => r()));
      }
      buf = '';
    }
  }
  out.end(buf);
  await new Promise<void>((r) => out.on('finish', () => r()));
}

async function scratchDb(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `govhub_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

async function importOnce(database: Database, file: string): Promise<{ rate: number; cpuS: number }> {
  await migrateToLatest(database.db);
  const access = new Access(ownershipRepository(database.db));
  const ledger = new LedgerService({ db: database.db, access, options: ledgerOptionsFromEnv({}) });
  const orgs = new OrgService({ db: database.db, access, ledger });
  const org = await orgs.create(SYSTEM, { code: `b${Date.now()}`, name: '测试局', kind: 'department' });
  const datasets = new DatasetService({
    db: database.db,
    database,
    access,
    ledger,
    orgs,
    resources: new MemoryCatalog(),
    secrets: SecretBox.fromKeyMaterial('bench'),
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const report = await datasets.importFile(SYSTEM, {
    file,
    newResource: { name: '人口', provider: org.code },
    onError: 'reject',
  });
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (report.rowsRejected !== 0) {
    throw new Error(
      `ingest bench: ${report.rowsRejected} rows rejected: ${JSON.stringify(report.errors.slice(0, 3))}`,
    );
  }
  return { rate: report.rowsLoaded / secs, cpuS: (cpu.user + cpu.system) / 1e6 };
}

export async function run(): Promise<Record<string, number>> {
  const rows = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'govhub-ingest-'));
  const file = path.join(dir, 'people.csv');
  await generateCsv(file, rows);
  const db = await scratchDb();
  try {
    // Baseline: plain COPY of the same file into the same server.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(
      'create table copy_baseline (id text, name text, mobile text, district text, d date, n int)',
    );
    const t0 = performance.now();
    await pipeline(
      createReadStream(file),
      c.query(copyStreams.from('COPY copy_baseline FROM STDIN WITH (FORMAT csv, HEADER true)')),
    );
    const copyRate = rows / ((performance.now() - t0) / 1000);
    await c.end();

    const database = await openDatabase({ databaseUrl: db.url, poolSize: 4 });
    const { rate, cpuS } = await importOnce(database, file).finally(() => database.close());
    const peakServer = process.resourceUsage().maxRSS / 1024;

    // Embedded store, a tenth of the rows (PGlite keeps the whole store in this process).
    const small = path.join(dir, 'small.csv');
    await generateCsv(small, Math.max(1000, Math.floor(rows / 10)));
    const embedded = await openDatabase({ dataDir: 'memory://' });
    const embeddedRate = (await importOnce(embedded, small).finally(() => embedded.close())).rate;
    return {
      rows,
      rows_per_s: Math.round(rate),
      copy_rows_per_s: Math.round(copyRate),
      ratio: Number((rate / copyRate).toFixed(3)),
      // CPU of this process (parse, inference, validation, COPY writes) per million rows: what the import
      // costs on the Node side whatever else the machine is doing; PostgreSQL's own work is not in it.
      node_cpu_s_per_m_rows: Number(((cpuS * 1_000_000) / rows).toFixed(2)),
      embedded_rows_per_s: Math.round(embeddedRate),
      peak_rss_mb: Math.round(peakServer),
      peak_rss_mb_with_embedded: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('ingest.js')) {
  void run().then((m) => console.log(JSON.stringify(m)));
}
