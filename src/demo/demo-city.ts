/**
 * The demo city (pure data): 成都市 with its data bureau, twelve departments, an operator and an
 * auditor, users for every role and a few apps. Region codes follow GB/T 2260 so that later demo data
 * (population, enterprises) lines up with the test files in shared/data.
 */
export const DEMO_PASSWORD = 'Govhub@2026';

export interface DemoOrg {
  code: string;
  name: string;
  nameEn: string;
  kind: 'region' | 'data_bureau' | 'department' | 'operator' | 'auditor';
  parent: string | null;
  regionCode?: string;
}

export const DEMO_REGION = 'chengdu';

export const DEMO_ORGS: DemoOrg[] = [
  { code: 'chengdu', name: '成都市', nameEn: 'Chengdu', kind: 'region', parent: null, regionCode: '510100' },
  {
    code: 'jinjiang',
    name: '锦江区',
    nameEn: 'Jinjiang District',
    kind: 'region',
    parent: 'chengdu',
    regionCode: '510104',
  },
  {
    code: 'qingyang',
    name: '青羊区',
    nameEn: 'Qingyang District',
    kind: 'region',
    parent: 'chengdu',
    regionCode: '510105',
  },
  {
    code: 'jinniu',
    name: '金牛区',
    nameEn: 'Jinniu District',
    kind: 'region',
    parent: 'chengdu',
    regionCode: '510106',
  },
  {
    code: 'wuhou',
    name: '武侯区',
    nameEn: 'Wuhou District',
    kind: 'region',
    parent: 'chengdu',
    regionCode: '510107',
  },
  {
    code: 'chenghua',
    name: '成华区',
    nameEn: 'Chenghua District',
    kind: 'region',
    parent: 'chengdu',
    regionCode: '510108',
  },
  {
    code: 'bureau',
    name: '成都市数据管理局',
    nameEn: 'Chengdu Data Bureau',
    kind: 'data_bureau',
    parent: 'chengdu',
  },
  {
    code: 'psb',
    name: '成都市公安局',
    nameEn: 'Public Security Bureau',
    kind: 'department',
    parent: 'chengdu',
  },
  {
    code: 'civil',
    name: '成都市民政局',
    nameEn: 'Civil Affairs Bureau',
    kind: 'department',
    parent: 'chengdu',
  },
  {
    code: 'hrss',
    name: '成都市人力资源和社会保障局',
    nameEn: 'Human Resources and Social Security Bureau',
    kind: 'department',
    parent: 'chengdu',
  },
  {
    code: 'samr',
    name: '成都市市场监督管理局',
    nameEn: 'Market Regulation Bureau',
    kind: 'department',
    parent: 'chengdu',
  },
  {
    code: 'health',
    name: '成都市卫生健康委员会',
    nameEn: 'Health Commission',
    kind: 'department',
    parent: 'chengdu',
  },
  { code: 'edu', name: '成都市教育局', nameEn: 'Education Bureau', kind: 'department', parent: 'chengdu' },
  {
    code: 'housing',
    name: '成都市住房和城乡建设局',
    nameEn: 'Housing and Urban-Rural Development Bureau',
    kind: 'department',
    parent: 'chengdu',
  },
  {
    code: 'land',
    name: '成都市规划和自然资源局',
    nameEn: 'Planning and Natural Resources Bureau',
    kind: 'department',
    parent: 'chengdu',
  },
  {
    code: 'tax',
    name: '国家税务总局成都市税务局',
    nameEn: 'Tax Bureau',
    kind: 'department',
    parent: 'chengdu',
  },
  {
    code: 'medical',
    name: '成都市医疗保障局',
    nameEn: 'Healthcare Security Bureau',
    kind: 'department',
    parent: 'chengdu',
  },
  {
    code: 'transport',
    name: '成都市交通运输局',
    nameEn: 'Transport Bureau',
    kind: 'department',
    parent: 'chengdu',
  },
  { code: 'stats', name: '成都市统计局', nameEn: 'Statistics Bureau', kind: 'department', parent: 'chengdu' },
  {
    code: 'operator',
    name: '成都数据运营有限公司',
    nameEn: 'Chengdu Data Operations Co.',
    kind: 'operator',
    parent: 'chengdu',
  },
  { code: 'audit', name: '成都市审计局', nameEn: 'Audit Bureau', kind: 'auditor', parent: 'chengdu' },
];

export interface DemoUser {
  username: string;
  displayName: string;
  org: string;
  roles: Array<'sysadmin' | 'secadmin' | 'auditor' | 'catalog_editor' | 'approver' | 'consumer'>;
}

const DEPARTMENTS = DEMO_ORGS.filter((o) => o.kind === 'department');

export const DEMO_USERS: DemoUser[] = [
  { username: 'admin', displayName: '系统管理员', org: 'bureau', roles: ['sysadmin'] },
  { username: 'security', displayName: '安全管理员', org: 'bureau', roles: ['secadmin'] },
  { username: 'auditor', displayName: '审计员', org: 'audit', roles: ['auditor'] },
  {
    username: 'bureau.reviewer',
    displayName: '数据局审核员',
    org: 'bureau',
    roles: ['catalog_editor', 'approver'],
  },
  ...DEPARTMENTS.flatMap((d): DemoUser[] => [
    { username: `${d.code}.editor`, displayName: `${d.name}编目员`, org: d.code, roles: ['catalog_editor'] },
    { username: `${d.code}.approver`, displayName: `${d.name}审批员`, org: d.code, roles: ['approver'] },
    { username: `${d.code}.dev`, displayName: `${d.name}应用开发者`, org: d.code, roles: ['consumer'] },
  ]),
  { username: 'operator.analyst', displayName: '运营机构分析师', org: 'operator', roles: ['consumer'] },
];

export interface DemoApp {
  name: string;
  org: string;
  description: string;
}

export const DEMO_APPS: DemoApp[] = [
  { name: '人口信息核验服务', org: 'psb', description: '为各部门提供身份核验' },
  { name: '社保待遇资格认证', org: 'hrss', description: '养老金领取资格认证' },
  { name: '低保救助审核系统', org: 'civil', description: '最低生活保障家庭经济状况核对' },
  { name: '企业开办一网通办', org: 'samr', description: '企业登记与开办' },
  { name: '数据产品实验室', org: 'operator', description: '授权运营数据产品开发' },
];
