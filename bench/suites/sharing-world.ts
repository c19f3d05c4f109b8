/**
 * Shared set-up of the sharing bench suites: a fresh store with the full services, a provider's published
 * resource of residents loaded as a hosted dataset, and an approved grant for a consumer (4 items masked).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../src/container.js';
import { type Actor, SYSTEM } from '../../src/identity/actor.js';
import { loadConfig } from '../../src/platform/config.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';
import { idCheckChar } from '../../src/sharing/normalize.js';
import type { BenchStore } from '../storage.js';

export interface SharingBenchWorld {
  services: Services;
  grantId: string;
  consumerOrgId: string;
  actor: Actor;
  idNumber(n: number): string;
  close(): Promise<void>;
}

/** A distinct, valid resident ID number for every n < 4,500,000 (birth date and sequence from n). */
const idNumber = (n: number) => {
  const k = Math.floor(n / 1000);
  const first17 = `510104${1950 + (k % 50)}0${1 + (Math.floor(k / 50) % 9)}1${Math.floor(k / 450) % 10}${String(n % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
};

export async function sharingBenchWorld(store: BenchStore, rows: number): Promise<SharingBenchWorld> {
  const database = await openDatabase(
    store.databaseUrl ? { databaseUrl: store.databaseUrl } : { dataDir: store.dataDir },
  );
  await migrateToLatest(database.db);
  // The per-key limiter stays on (it runs on every request) but with limits the data_api load cannot reach.
  const rateLimit = { perIpPerMinute: 1e9, perKeyPerMinute: 1e9, failedCredentialsPerIpPerMinute: 1e9 };
  const services = createServices(
    database,
    loadConfig({ GOVHUB_LANG: 'en' }, { dataDir: 'memory://', rateLimit }),
  );
  const provider = await services.orgs.create(SYSTEM, {
    code: 'benchp',
    name: '提供部门',
    kind: 'department',
  });
  const consumer = await services.orgs.create(SYSTEM, {
    code: 'benchc',
    name: '使用部门',
    kind: 'department',
  });
  const item = (name: string, dataType: string, level: string, piiKind: string | null) => ({
    name,
    dataType,
    level,
    piiKind,
    shareType: 'conditional',
    openType: 'none',
  });
  await services.catalog.seedPublished(SYSTEM, provider.id, [
    {
      name: '居民信息（基准）',
      classification: { category: '1', item: '01', catalog: '001' },
      abstract: 'bench',
      format: { category: 'database', type: 'postgresql' },
      shareType: 'conditional',
      shareCondition: 'bench',
      openType: 'none',
      updateCycle: 'daily',
      items: [
        item('id_number', 'C', 'important', 'id_number'),
        item('name', 'C', 'important', 'name'),
        item('mobile', 'C', 'important', 'mobile'),
        item('birth_date', 'D', 'important', null),
        item('district', 'C', 'general', null),
        item('amount', 'N', 'general', null),
      ],
    },
  ]);
  const res = (await services.catalog.listForExport(SYSTEM))[0]!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govhub-bench-sharing-'));
  try {
    const file = path.join(dir, 'rows.csv');
    const out = fs.createWriteStream(file);
    out.write('id_number,name,mobile,birth_date,district,amount\n');
    const districts = ['锦江区', '青羊区', '金牛区', '武侯区', '成华区'];
    let buf = '';
    for (let n = 0; n < rows; n++) {
      buf += `${idNumber(n)},${'王李张刘陈'[n % 5]}${'伟芳娜敏静'[(n >> 3) % 5]},139${String(10_000_000 + (n % 90_000_000)).padStart(8, '0')},${1950 + (n % 50)}-0${1 + (n % 9)}-1${n % 10},${districts[n % 5]},${n % 1000}\n`;
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) {
          await new Promise<void>((r) => out.once('drain', () => r()));
        }
        buf = '';
      }
    }
    out.end(buf);
    await new Promise<void>((r) => out.once('finish', () => r()));
    await services.datasets.importFile(SYSTEM, { file, resource: res.id, keys: ['id_number'] });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  let r = await services.sharing.createRequest(SYSTEM, {
    requesterOrgId: consumer.id,
    resources: [
      { resource: res.id, items: ['id_number', 'name', 'mobile', 'birth_date', 'district', 'amount'] },
    ],
    purpose: 'bench',
    scenario: 'bench',
    legalBasis: 'bench',
    modes: ['read', 'verify'],
    validTo: new Date(Date.now() + 86_400_000).toISOString(),
  });
  while (r.status !== 'approved') {
    r = await services.sharing.decide(SYSTEM, r.id, {
      decision: 'approve',
      terms: { maskingProfile: { birth_date: { op: 'date', to: 'year' } } },
    });
  }
  return {
    services,
    grantId: r.grantIds[0]!,
    consumerOrgId: consumer.id,
    actor: {
      kind: 'user',
      id: 'bench',
      orgId: consumer.id,
      roles: ['consumer'],
      username: 'bench',
      via: 'bearer',
    },
    idNumber,
    close: async () => {
      await services.datasets.close();
      await database.close();
    },
  };
}
