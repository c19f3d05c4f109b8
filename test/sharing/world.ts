import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SYSTEM } from '../../src/identity/actor.js';
import { idCheckChar } from '../../src/sharing/normalize.js';
import type { TestContext } from '../support/app.js';

/** A resident's row in the test population (valid ID numbers and mobiles). */
export interface Person {
  id_number: string;
  name: string;
  mobile: string;
  district: string;
  birth_date: string;
  diagnosis: string;
}

export function person(n: number): Person {
  const birth = `19${String(50 + (n % 50)).padStart(2, '0')}0${1 + (n % 9)}1${n % 10}`;
  const first17 = `510104${birth}${String(n % 1000).padStart(3, '0')}`;
  return {
    id_number: first17 + idCheckChar(first17),
    name: `${'张王李赵刘'[n % 5]}${'伟芳娜敏静'[(n >> 1) % 5]}${'一二三四五六七八九十'[n % 10]}`,
    mobile: `139${String(10_000_000 + n).padStart(8, '0')}`,
    district: n % 3 === 0 ? '锦江区' : n % 3 === 1 ? '青羊区' : '武侯区',
    birth_date: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`,
    diagnosis: n % 2 ? '高血压' : '无',
  };
}

export interface World {
  provider: { id: string; code: string };
  consumer: { id: string; code: string };
  other: { id: string; code: string };
  bureau: { id: string; code: string };
  providerApprover: Record<string, string>;
  bureauApprover: Record<string, string>;
  consumerUser: Record<string, string>;
  otherUser: Record<string, string>;
  /** x-api-key headers of the consumer's app. */
  app: { id: string; headers: Record<string, string> };
  /** A conditional resource (important items → bureau review) with rows, and an unconditional one. */
  resourceId: string;
  openResourceId: string;
  rows: number;
}

/**
 * Provider (health dept) with a published conditional resource of `rows` residents (diagnosis on the
 * negative list) and an unconditional one; a consumer org with a user and an app key; another org; the bureau.
 */
export async function buildWorld(ctx: TestContext, rows = 50): Promise<World> {
  const s = ctx.services;
  const provider = await ctx.newOrg('department');
  const consumer = await ctx.newOrg('department');
  const other = await ctx.newOrg('department');
  const bureau = await ctx.newOrg('data_bureau');
  const pa = await ctx.newUser(provider.id, ['approver']);
  const ba = await ctx.newUser(bureau.id, ['approver']);
  const cu = await ctx.newUser(consumer.id, ['consumer']);
  const ou = await ctx.newUser(other.id, ['consumer']);
  const item = (
    name: string,
    dataType: string,
    level: string,
    piiKind: string | null,
    shareType = 'conditional',
  ) => ({
    name,
    dataType,
    level,
    piiKind,
    shareType,
    openType: 'none',
    ...(shareType === 'none' ? { notSharedReason: '《个人信息保护法》第二十八条' } : {}),
  });
  const base = {
    classification: { category: '3', item: '07', catalog: '107' },
    format: { category: 'database', type: 'postgresql' },
    openType: 'none',
    updateCycle: 'daily',
  };
  await s.catalog.seedPublished(SYSTEM, provider.id, [
    {
      ...base,
      name: `居民健康档案${provider.code}`,
      abstract: '居民健康档案（测试）',
      shareType: 'conditional',
      shareCondition: '用于政务服务身份核验',
      items: [
        item('id_number', 'C', 'important', 'id_number'),
        item('name', 'C', 'important', 'name'),
        item('mobile', 'C', 'general', 'mobile'),
        item('district', 'C', 'general', null),
        item('birth_date', 'D', 'general', null),
        item('diagnosis', 'C', 'important', null, 'none'),
      ],
    },
    {
      ...base,
      name: `医疗机构名录${provider.code}`,
      abstract: '医疗机构名录（测试）',
      shareType: 'unconditional',
      items: [
        item('org_name', 'C', 'general', null, 'unconditional'),
        item('district', 'C', 'general', null, 'unconditional'),
      ],
    },
  ]);
  const list = await s.catalog.listForExport(SYSTEM);
  const res = list.find((r) => r.name === `居民健康档案${provider.code}`)!;
  const open = list.find((r) => r.name === `医疗机构名录${provider.code}`)!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govhub-sharing-'));
  const file = path.join(dir, 'people.csv');
  const lines = ['id_number,name,mobile,district,birth_date,diagnosis'];
  for (let n = 0; n < rows; n++) {
    const p = person(n);
    lines.push([p.id_number, p.name, p.mobile, p.district, p.birth_date, p.diagnosis].join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const report = await s.datasets.importFile(SYSTEM, { file, resource: res.id });
  if (report.status !== 'loaded' || report.rowsLoaded !== rows) {
    throw new Error(`import failed: ${JSON.stringify(report).slice(0, 500)}`);
  }
  const file2 = path.join(dir, 'orgs.csv');
  fs.writeFileSync(file2, 'org_name,district\n第一人民医院,锦江区\n第二人民医院,青羊区\n');
  await s.datasets.importFile(SYSTEM, { file: file2, resource: open.id });
  fs.rmSync(dir, { recursive: true, force: true });
  const app = await s.apps.create(SYSTEM, { name: `app${consumer.code}`, orgId: consumer.id });
  const key = await s.apps.createKey(SYSTEM, app.id, { name: 'k' });
  return {
    provider,
    consumer,
    other,
    bureau,
    providerApprover: await ctx.bearer(pa.username),
    bureauApprover: await ctx.bearer(ba.username),
    consumerUser: await ctx.bearer(cu.username),
    otherUser: await ctx.bearer(ou.username),
    app: { id: app.id, headers: { 'x-api-key': key.secret } },
    resourceId: res.id,
    openResourceId: open.id,
    rows,
  };
}

const walkData = new WeakMap<TestContext, Promise<{ resourceId: string; dataGrantId: string }>>();

/** For the authorization walk: sharing records of `orgId` (as requester and provider) in the state a route needs. */
export async function walkSharingFixture(
  ctx: TestContext,
  orgId: string,
  route: string,
): Promise<{
  requestId: string;
  grantId: string;
  objectionId: string;
  dataGrantId: string;
  walkResourceId: string;
}> {
  const s = ctx.services.sharing;
  if (!walkData.has(ctx)) {
    walkData.set(
      ctx,
      (async () => {
        const name = `walk-resource-${Date.now().toString(36)}`;
        await ctx.services.catalog.seedPublished(SYSTEM, orgId, [
          {
            name,
            classification: { category: '3', item: '07', catalog: '107' },
            format: { category: 'database', type: 'postgresql' },
            openType: 'none',
            updateCycle: 'daily',
            abstract: 'walk',
            shareType: 'conditional',
            shareCondition: 'walk',
            items: [
              {
                name: 'district',
                dataType: 'C',
                level: 'general',
                shareType: 'conditional',
                openType: 'none',
              },
              {
                name: 'population',
                dataType: 'N',
                level: 'general',
                shareType: 'conditional',
                openType: 'none',
              },
            ],
          },
        ]);
        const res = (await ctx.services.catalog.listForExport(SYSTEM)).find((r) => r.name === name)!;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govhub-walk-'));
        const file = path.join(dir, 'd.csv');
        fs.writeFileSync(file, 'district,population\n锦江区,100\n青羊区,200\n');
        await ctx.services.datasets.importFile(SYSTEM, { file, resource: res.id });
        fs.rmSync(dir, { recursive: true, force: true });
        const r = await s.createRequest(SYSTEM, walkRequest(orgId, res.id, ['read', 'verify', 'download']));
        const ok = await s.decide(SYSTEM, r.id, { decision: 'approve' });
        return { resourceId: res.id, dataGrantId: ok.grantIds[0]! };
      })(),
    );
  }
  const { resourceId, dataGrantId } = await walkData.get(ctx)!;
  const none = { requestId: '-', grantId: '-', objectionId: '-', dataGrantId, walkResourceId: resourceId };
  if (!route.includes('/sharing/')) {
    return none;
  }
  const r = await s.createRequest(SYSTEM, walkRequest(orgId, resourceId, ['read']));
  let requestId = r.id;
  let grantId = '-';
  let objectionId = '-';
  if (route.includes('/resubmit')) {
    await s.decide(SYSTEM, r.id, { decision: 'return', reason: '补充' });
  } else if (route.includes('/coordinat')) {
    await s.decide(SYSTEM, r.id, { decision: 'refuse', reason: '不同意' });
    if (route.endsWith('/coordinate')) {
      await s.requestCoordination(SYSTEM, r.id, '请协调');
    }
  } else if (route.includes('/grants/') || route.includes('/objections')) {
    const ok = await s.decide(SYSTEM, r.id, { decision: 'approve' });
    grantId = ok.grantIds[0]!;
    if (route.endsWith('/resume')) {
      await s.suspendGrant(SYSTEM, grantId, '暂停');
    }
    if (route.includes('/objections/')) {
      objectionId = (
        await s.reportObjection(SYSTEM, {
          grantId,
          items: ['district'],
          recordKeys: ['1'],
          description: '有误',
        })
      ).id;
    }
    requestId = r.id;
  }
  return { requestId, grantId, objectionId, dataGrantId, walkResourceId: resourceId };
}

function walkRequest(orgId: string, resourceId: string, modes: Array<'read' | 'verify' | 'download'>) {
  return {
    requesterOrgId: orgId,
    resources: [{ resource: resourceId, items: ['district', 'population'] }],
    purpose: '授权检查',
    scenario: '授权检查',
    legalBasis: '测试',
    modes,
    validTo: new Date(Date.now() + 365 * 86_400_000).toISOString(),
  };
}
