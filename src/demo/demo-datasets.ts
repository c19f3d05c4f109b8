import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { DatasetService } from '../datasets/dataset.service.js';
import { idCheckChar, usccCheckChar } from '../datasets/identifiers.js';
import { SYSTEM } from '../identity/actor.js';

/**
 * Demo data behind the demo catalog's main resources (人口基础信息, 企业登记信息, 社保参保信息):
 * generated people with valid resident ID numbers, enterprises with valid USCCs and social insurance
 * rows for some of the same people, imported as hosted datasets through the ordinary file import.
 * A few thousand rows in all, so a fresh `npm start` stays fast.
 */
export const DEMO_DATASET_SIZES = { people: 1500, enterprises: 500, insured: 1000 } as const;

/** A small deterministic generator (mulberry32): the same demo city on every machine. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文博雨欣子涵浩然思远梓轩一诺';
const DISTRICTS: Array<[code: string, name: string]> = [
  ['510104', '锦江区'],
  ['510105', '青羊区'],
  ['510106', '金牛区'],
  ['510107', '武侯区'],
  ['510108', '成华区'],
  ['510112', '龙泉驿区'],
  ['510116', '双流区'],
];
const STREETS = ['春熙路', '人民南路', '天府大道', '蜀都大道', '红星路', '建设路', '玉林路', '府青路'];
const NATIONS = ['汉族', '汉族', '汉族', '汉族', '彝族', '藏族', '羌族', '回族'];
const TRADES = ['科技', '贸易', '物流', '餐饮', '建筑', '文化传媒', '医药', '电子'];
const SUFFIX = ['有限公司', '有限责任公司', '股份有限公司'];
const SCOPES = ['软件开发；信息技术咨询', '日用百货销售', '道路货物运输', '餐饮服务', '建设工程施工'];

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const csv = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const line = (values: Array<string | number>) => `${values.map((v) => csv(String(v))).join(',')}\n`;

export interface DemoPerson {
  name: string;
  id: string;
  sex: '男' | '女';
  birth: string;
  district: string;
}

export function demoPeople(n: number, seed = 510100): DemoPerson[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[] | string): T => a[Math.floor(r() * a.length)] as T;
  const out: DemoPerson[] = [];
  for (let i = 0; i < n; i++) {
    const [code, district] = pick(DISTRICTS);
    const y = 1950 + Math.floor(r() * 55);
    const m = 1 + Math.floor(r() * 12);
    const d = 1 + Math.floor(r() * 28);
    const male = r() < 0.5;
    const seq = Math.floor(r() * 500) * 2 + (male ? 1 : 0);
    const first17 = `${code}${y}${pad(m, 2)}${pad(d, 2)}${pad(seq % 1000, 3)}`;
    const name = `${pick<string>(SURNAMES)}${pick<string>(GIVEN)}${r() < 0.5 ? pick<string>(GIVEN) : ''}`;
    out.push({
      name,
      id: `${first17}${idCheckChar(first17)}`,
      sex: male ? '男' : '女',
      birth: `${y}-${pad(m, 2)}-${pad(d, 2)}`,
      district,
    });
  }
  return out;
}

export function demoEnterprises(n: number, people: DemoPerson[], seed = 91510100) {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const out: Array<Array<string | number>> = [];
  for (let i = 0; i < n; i++) {
    const [code, district] = pick(DISTRICTS);
    const first17 = `91${code}${pad(Math.floor(r() * 1e9), 9)}`;
    const y = 1995 + Math.floor(r() * 30);
    out.push([
      `成都${pick(['天府', '锦城', '蓉城', '西岭', '青城', '蜀道'])}${pick(TRADES)}${pad(i + 1, 4)}${pick(SUFFIX)}`,
      `${first17}${usccCheckChar(first17)}`,
      (people[Math.floor(r() * people.length)] as DemoPerson).name,
      (10 + Math.floor(r() * 50000)).toFixed(2),
      `${y}-${pad(1 + Math.floor(r() * 12), 2)}-${pad(1 + Math.floor(r() * 28), 2)}`,
      pick(SCOPES),
      `${district}市场监督管理局`,
      pick(['存续', '存续', '存续', '在业', '注销']),
    ]);
  }
  return out;
}

/** The table the linked demo dataset reads in place (PostgreSQL only: a table in the same server). */
export const DEMO_LINKED_TABLE = 'demo_hrss_pension_payment';

/**
 * Writes the three files and imports each into its resource; with a PostgreSQL server, also creates
 * a pension-payment table there and links 养老保险缴费信息 to it. Answers the rows per resource.
 */
export async function seedDemoDatasets(deps: {
  catalog: CatalogService;
  datasets: DatasetService;
  orgId: (code: string) => string;
  databaseUrl?: string | undefined;
}): Promise<Record<string, number>> {
  const { catalog, datasets, orgId } = deps;
  const find = async (name: string, dept: string) => {
    const res = await catalog.search(SYSTEM, { q: name, provider: orgId(dept), pageSize: 10 });
    return res.items.find((i) => i.name === name)?.id;
  };
  const people = demoPeople(DEMO_DATASET_SIZES.people);
  const r = rng(2026);
  const files: Array<{ name: string; dept: string; body: string }> = [
    {
      name: '人口基础信息',
      dept: 'psb',
      body:
        line(['姓名', '公民身份号码', '性别', '出生日期', '民族', '户籍地址', '住址']) +
        people
          .map((p, i) =>
            line([
              p.name,
              p.id,
              p.sex,
              p.birth,
              NATIONS[i % NATIONS.length] as string,
              `四川省成都市${p.district}`,
              `成都市${p.district}${STREETS[i % STREETS.length]}${1 + (i % 300)}号`,
            ]),
          )
          .join(''),
    },
    {
      name: '企业登记信息',
      dept: 'samr',
      body:
        line([
          '企业名称',
          '统一社会信用代码',
          '法定代表人',
          '注册资本',
          '成立日期',
          '经营范围',
          '登记机关',
          '状态',
        ]) +
        demoEnterprises(DEMO_DATASET_SIZES.enterprises, people)
          .map((e) => line(e))
          .join(''),
    },
    {
      name: '社保参保信息',
      dept: 'hrss',
      body:
        line(['姓名', '公民身份号码', '性别', '出生日期', '业务编号', '办理日期', '状态']) +
        people
          .slice(0, DEMO_DATASET_SIZES.insured)
          .map((p, i) =>
            line([
              p.name,
              p.id,
              p.sex,
              p.birth,
              `SB${pad(i + 1, 8)}`,
              `20${pad(10 + Math.floor(r() * 15), 2)}-${pad(1 + Math.floor(r() * 12), 2)}-${pad(1 + Math.floor(r() * 28), 2)}`,
              r() < 0.9 ? '参保缴费' : '暂停缴费',
            ]),
          )
          .join(''),
    },
  ];
  const dir = await mkdtemp(path.join(tmpdir(), 'govhub-demo-'));
  const loaded: Record<string, number> = {};
  try {
    for (const f of files) {
      const resource = await find(f.name, f.dept);
      if (!resource) {
        continue;
      }
      const file = path.join(dir, `${f.dept}.csv`);
      await writeFile(file, f.body);
      const report = await datasets.importFile(SYSTEM, { file, resource, onError: 'quarantine' });
      loaded[f.name] = report.rowsLoaded;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (deps.databaseUrl) {
    const resource = await find('养老保险缴费信息', 'hrss');
    if (resource) {
      loaded['养老保险缴费信息'] = await seedLinked(deps.databaseUrl, people.slice(0, 500), r);
      const url = new URL(deps.databaseUrl);
      const source = await datasets.createSource(SYSTEM, {
        name: '人社局业务库（演示）',
        org: orgId('hrss'),
        kind: 'postgres',
        host: url.hostname,
        port: Number(url.port || 5432),
        database: decodeURIComponent(url.pathname.slice(1)),
        username: decodeURIComponent(url.username),
        password: url.password ? decodeURIComponent(url.password) : undefined,
      });
      await datasets.link(SYSTEM, { source: source.id, table: DEMO_LINKED_TABLE, resource });
    }
  }
  return loaded;
}

/** The pension payments as a department's own business table, in the same PostgreSQL server. */
async function seedLinked(databaseUrl: string, people: DemoPerson[], r: () => number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`drop table if exists ${DEMO_LINKED_TABLE}`);
    await client.query(
      `create table ${DEMO_LINKED_TABLE} ("姓名" text, "公民身份号码" text, "性别" text, "出生日期" date, "金额" numeric(18,2), "办理日期" date)`,
    );
    const values: unknown[] = [];
    const rows = people.map((p, i) => {
      values.push(p.name, p.id, p.sex, p.birth, (200 + Math.floor(r() * 3000)).toFixed(2));
      values.push(`2025-${pad(1 + (i % 12), 2)}-15`);
      const b = i * 6;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`;
    });
    await client.query(`insert into ${DEMO_LINKED_TABLE} values ${rows.join(', ')}`, values);
    return people.length;
  } finally {
    await client.end();
  }
}
