/**
 * Demo sharing: a small synthetic population behind 公安局 人口基础信息, grants for the demo apps (so a newcomer
 * can call the data API with a demo key at once), and share requests in every state.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { DatasetService } from '../datasets/dataset.service.js';
import { SYSTEM } from '../identity/actor.js';
import type { AccessMode } from '../sharing/grant-policy.js';
import { idCheckChar } from '../sharing/normalize.js';
import type { GrantTerms, RequestDto, SharingService } from '../sharing/sharing.service.js';

export const DEMO_POPULATION = 200;

export interface DemoGrant {
  app: string;
  org: string;
  grantId: string;
  resource: string;
  modes: string[];
}

/** The n-th synthetic resident (valid check digits; 成都市锦江区 codes). */
export function demoResident(n: number): Record<string, string> {
  const birth = `19${String(50 + (n % 50)).padStart(2, '0')}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}`;
  const first17 = `510104${birth}${String(n % 1000).padStart(3, '0')}`;
  const surname = '张王李赵刘陈杨黄周吴'[n % 10];
  const given = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '勇', '军'][(n * 7) % 10];
  return {
    姓名: `${surname}${given}${'一二三四五六七八九十'[n % 10]}`,
    公民身份号码: first17 + idCheckChar(first17),
    性别: n % 2 ? '男' : '女',
    出生日期: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`,
    民族: '汉族',
    户籍地址: ['四川省成都市锦江区', '四川省成都市青羊区', '四川省成都市武侯区'][n % 3]!,
    住址: `四川省成都市${['锦江区', '青羊区', '武侯区'][n % 3]}人民路${n + 1}号`,
  };
}

export async function seedDemoSharing(deps: {
  catalog: CatalogService;
  datasets: DatasetService;
  sharing: SharingService;
  orgId: (code: string) => string;
  appId: (name: string) => string;
}): Promise<DemoGrant[]> {
  const { catalog, datasets, sharing, orgId, appId } = deps;
  const all = await catalog.listForExport(SYSTEM);
  const byName = (org: string, name: string) => {
    const r = all.find((x) => x.providerOrgId === orgId(org) && x.name === name);
    if (!r) {
      throw new Error(`demo resource missing: ${org} ${name}`);
    }
    return r;
  };
  const population = byName('psb', '人口基础信息');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govhub-demo-'));
  try {
    const header = population.items.map((i) => i.name);
    const lines = [header.join(',')];
    for (let n = 0; n < DEMO_POPULATION; n++) {
      const r = demoResident(n);
      lines.push(header.map((h) => r[h] ?? '').join(','));
    }
    const file = path.join(dir, 'population.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    // Added beside the generated population the datasets demo loaded: these are the residents the
    // sharing examples (verify, masked reads) name.
    await datasets.importFile(SYSTEM, { file, resource: population.id, mode: 'append' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const validTo = new Date(Date.now() + 365 * 86_400_000).toISOString();
  const ask = (
    org: string,
    resourceId: string,
    items: string[],
    modes: AccessMode[],
    purpose: string,
    app?: string,
  ) =>
    sharing.createRequest(SYSTEM, {
      requesterOrgId: orgId(org),
      ...(app ? { appId: appId(app) } : {}),
      resources: [{ resource: resourceId, items }],
      purpose,
      scenario: purpose,
      legalBasis: '《政务数据共享条例》第十四条',
      modes,
      validTo,
      expectedVolume: '每日约 500 次',
    });
  const approve = async (r: RequestDto, terms: GrantTerms = {}) => {
    let cur = r;
    while (cur.status !== 'approved') {
      cur = await sharing.decide(SYSTEM, cur.id, { decision: 'approve', terms });
    }
    return cur;
  };

  const grants: DemoGrant[] = [];
  const person = ['姓名', '公民身份号码', '出生日期', '户籍地址'];
  const civil = await approve(
    await ask(
      'civil',
      population.id,
      person,
      ['read', 'verify'],
      '最低生活保障家庭经济状况核对：核实申请人身份与户籍',
      '低保救助审核系统',
    ),
    {
      maskingProfile: { 出生日期: { op: 'date', to: 'year' } },
      quota: { period: 'day', maxCalls: 10_000 },
    },
  );
  grants.push({
    app: '低保救助审核系统',
    org: 'civil',
    grantId: civil.grantIds[0]!,
    resource: population.code,
    modes: ['read', 'verify'],
  });
  const hrss = await approve(
    await ask(
      'hrss',
      population.id,
      ['姓名', '公民身份号码'],
      ['verify'],
      '养老金领取资格认证：核验领取人身份',
      '社保待遇资格认证',
    ),
  );
  grants.push({
    app: '社保待遇资格认证',
    org: 'hrss',
    grantId: hrss.grantIds[0]!,
    resource: population.code,
    modes: ['verify'],
  });
  const operator = await approve(
    await ask(
      'operator',
      population.id,
      ['公民身份号码', '出生日期', '户籍地址'],
      ['read', 'download'],
      '授权运营：人口结构统计数据产品开发',
      '数据产品实验室',
    ),
    {
      rowFilter: { eq: ['户籍地址', '四川省成都市锦江区'] },
      maskingProfile: { 公民身份号码: { op: 'pseudonym' }, 出生日期: { op: 'date', to: 'year' } },
      quota: { period: 'month', maxRows: 100_000 },
    },
  );
  grants.push({
    app: '数据产品实验室',
    org: 'operator',
    grantId: operator.grantIds[0]!,
    resource: population.code,
    modes: ['read', 'download'],
  });

  // Requests in every other state.
  const household = byName('psb', '人口户籍信息');
  const names = ['姓名', '公民身份号码'];
  await ask('samr', household.id, names, ['verify'], '企业开办：核验法定代表人身份'); // provider_review
  await sharing.decide(
    SYSTEM,
    (await ask('edu', household.id, names, ['verify'], '义务教育入学：核验户籍')).id,
    {
      decision: 'approve',
    },
  ); // bureau_review
  await sharing.decide(SYSTEM, (await ask('housing', household.id, names, ['read'], '公租房资格审核')).id, {
    decision: 'return',
    reason: '请补充公租房资格审核的政策依据文件',
  }); // returned
  const refused = await ask('transport', household.id, names, ['read'], '交通出行统计');
  await sharing.decide(SYSTEM, refused.id, {
    decision: 'refuse',
    reason: '统计用途应使用统计局汇总数据，不需要个人明细',
  }); // refused
  const coord = await ask('medical', household.id, names, ['verify'], '医保参保登记：核验参保人户籍');
  await sharing.decide(SYSTEM, coord.id, { decision: 'refuse', reason: '医保已有身份核验渠道' });
  await sharing.requestCoordination(SYSTEM, coord.id, '异地参保需核验户籍，现有渠道无法覆盖'); // coordination_requested
  const upheld = await ask('stats', household.id, names, ['read'], '人口抽样调查样本核对');
  await sharing.decide(SYSTEM, upheld.id, { decision: 'refuse', reason: '抽样调查应使用统计部门自有底册' });
  await sharing.requestCoordination(SYSTEM, upheld.id, '底册需与户籍比对');
  await sharing.coordinate(SYSTEM, upheld.id, {
    outcome: 'upheld',
    note: '维持不予共享：可申请汇总统计数据',
  }); // coordinated
  const withdrawn = await ask('tax', household.id, names, ['read'], '个税专项附加扣除核验');
  await sharing.withdraw(SYSTEM, withdrawn.id, '改用电子证照接口'); // withdrawn
  const police = byName('psb', '公安派出所名录');
  await ask(
    'land',
    police.id,
    police.items.slice(0, 2).map((i) => i.name),
    ['read'],
    '不动产登记便民服务点标注',
  ); // approved at once
  return grants;
}
