/**
 * GB/T 21063 code lists (pure data). Values are stable English keys; each carries its GB code and its
 * Chinese and English labels so that import, export and the UI agree. See docs/catalog.md.
 */
export interface Code {
  value: string;
  code: string;
  zh: string;
  en: string;
}

const c = (value: string, code: string, zh: string, en: string): Code => ({ value, code, zh, en });

/** 共享类型 (国发〔2016〕51号). */
export const SHARE_TYPES = [
  c('unconditional', '1', '无条件共享', 'Unconditional'),
  c('conditional', '2', '有条件共享', 'Conditional'),
  c('none', '3', '不予共享', 'Not shared'),
] as const;

/** 开放属性 (newer local rules). */
export const OPEN_TYPES = [
  c('unconditional', '1', '无条件开放', 'Open'),
  c('conditional', '2', '有条件开放', 'Conditionally open'),
  c('none', '3', '不予开放', 'Not open'),
] as const;

/** 共享方式 (分类). */
export const SHARE_MODES = [
  c('platform', '1', '共享平台方式', 'Sharing platform'),
  c('email', '2', '邮件方式', 'E-mail'),
  c('medium', '3', '介质方式', 'Physical medium'),
] as const;

/** 共享方式类型 under 共享平台方式. */
export const SHARE_MODE_TYPES = [
  c('database', '1', '数据库', 'Database'),
  c('file', '2', '文件', 'File'),
  c('api', '3', '接口', 'API'),
] as const;

/** 更新周期. */
export const UPDATE_CYCLES = [
  c('realtime', '1', '实时', 'Real time'),
  c('daily', '2', '每日', 'Daily'),
  c('weekly', '3', '每周', 'Weekly'),
  c('monthly', '4', '每月', 'Monthly'),
  c('quarterly', '5', '每季度', 'Quarterly'),
  c('halfyearly', '6', '每半年', 'Half-yearly'),
  c('yearly', '7', '每年', 'Yearly'),
  c('irregular', '8', '不定期', 'Irregular'),
] as const;

/** 信息资源格式 (分类), with the usual types of each category. */
export const FORMAT_CATEGORIES = [
  c('file', '1', '电子文件', 'Electronic file'),
  c('spreadsheet', '2', '电子表格', 'Spreadsheet'),
  c('database', '3', '数据库', 'Database'),
  c('image', '4', '图形图像', 'Image'),
  c('media', '5', '流媒体', 'Streaming media'),
  c('selfdescribing', '6', '自描述格式', 'Self-describing'),
  c('api', '7', '服务接口', 'Service interface'),
] as const;

export const FORMAT_TYPES: Record<(typeof FORMAT_CATEGORIES)[number]['value'], readonly string[]> = {
  file: ['ofd', 'wps', 'xml', 'txt', 'doc', 'docx', 'html', 'pdf', 'ppt'],
  spreadsheet: ['et', 'xls', 'xlsx', 'csv'],
  database: [
    'dm',
    'kingbasees',
    'access',
    'dbf',
    'oracle',
    'sqlserver',
    'db2',
    'mysql',
    'postgresql',
    'gbase',
  ],
  image: ['jpg', 'gif', 'bmp', 'png', 'tif'],
  media: ['swf', 'rm', 'mpg', 'mp4'],
  selfdescribing: ['json', 'xml', 'rdf'],
  api: ['rest', 'soap', 'webservice'],
};

/** 信息项数据类型. */
export const DATA_TYPES = [
  c('C', 'C', '字符型', 'Character'),
  c('N', 'N', '数值型', 'Numeric'),
  c('Y', 'Y', '货币型', 'Currency'),
  c('D', 'D', '日期型', 'Date'),
  c('T', 'T', '日期时间型', 'Date-time'),
  c('L', 'L', '逻辑型', 'Logical'),
  c('M', 'M', '备注型', 'Memo'),
  c('G', 'G', '通用型', 'General'),
  c('B', 'B', '双精度型', 'Double'),
  c('I', 'I', '整型', 'Integer'),
  c('F', 'F', '浮点型', 'Float'),
] as const;

/** 数据分级 (数据安全法 第二十一条). */
export const LEVELS = [
  c('core', '1', '核心数据', 'Core'),
  c('important', '2', '重要数据', 'Important'),
  c('general', '3', '一般数据', 'General'),
] as const;

/** 资源属性分类 "类". */
export const CATEGORIES = [
  c('1', '1', '基础信息资源', 'Base resources'),
  c('2', '2', '主题信息资源', 'Thematic resources'),
  c('3', '3', '部门信息资源', 'Departmental resources'),
] as const;

/** "项" under 基础 (1) and 主题 (2); under 部门 (3) the 项 is the department's two-digit number. */
export const CATEGORY_ITEMS: Record<'1' | '2', readonly Code[]> = {
  '1': [
    c('01', '01', '人口', 'Population'),
    c('02', '02', '法人单位', 'Legal entities'),
    c('03', '03', '自然资源和空间地理', 'Natural resources and geography'),
    c('04', '04', '社会信用', 'Social credit'),
    c('05', '05', '电子证照', 'Electronic licences'),
  ],
  '2': [
    c('01', '01', '公共服务', 'Public services'),
    c('02', '02', '健康保障', 'Health'),
    c('03', '03', '社会保障', 'Social security'),
    c('04', '04', '食品药品安全', 'Food and drug safety'),
    c('05', '05', '安全生产', 'Work safety'),
    c('06', '06', '价格监管', 'Price supervision'),
    c('07', '07', '能源安全', 'Energy security'),
    c('08', '08', '信用体系', 'Credit system'),
    c('09', '09', '城乡建设', 'Urban and rural construction'),
    c('10', '10', '社区治理', 'Community governance'),
    c('11', '11', '生态环保', 'Ecology and environment'),
    c('12', '12', '应急维稳', 'Emergency and stability'),
  ],
};

/** Personal-information kinds an item may hold (the masking module keys its defaults on these). */
export const PII_KINDS = [
  'name',
  'id_number',
  'mobile',
  'address',
  'bank_card',
  'email',
  'uscc',
  'plate',
  'birthday',
  'health',
  'other',
] as const;

/** Default masking methods an item may name. */
export const MASKINGS = ['none', 'partial', 'hash', 'redact', 'generalize', 'encrypt'] as const;

export const CODE_LISTS = {
  shareType: SHARE_TYPES,
  openType: OPEN_TYPES,
  shareMode: SHARE_MODES,
  shareModeType: SHARE_MODE_TYPES,
  updateCycle: UPDATE_CYCLES,
  formatCategory: FORMAT_CATEGORIES,
  dataType: DATA_TYPES,
  level: LEVELS,
  category: CATEGORIES,
} as const;
export type CodeListName = keyof typeof CODE_LISTS;

/** Finds a value by its key, its GB code or its Chinese/English label (Excel sheets use any of them). */
export function lookup(list: readonly Code[], raw: string): Code | undefined {
  const v = raw.trim();
  return list.find(
    (x) => x.value === v || x.code === v || x.zh === v || x.en.toLowerCase() === v.toLowerCase(),
  );
}

export function label(list: readonly Code[], value: string, lang: 'zh' | 'en' = 'zh'): string {
  const hit = list.find((x) => x.value === value);
  return hit ? hit[lang] : value;
}

/** Widths of the 前段码 segments 类/项/目 (细目 is free); provinces differ, so this is configurable. */
export interface CodeRules {
  widths: [number, number, number];
  /** Width of the zero-padded 后段码 (顺序码). */
  seqWidth: number;
}
export const DEFAULT_CODE_RULES: CodeRules = { widths: [1, 2, 3], seqWidth: 6 };
