import ExcelJS from 'exceljs';
import type { ItemInputDto, ResourceCreateInput, ResourceDto } from '../contracts/catalog.js';
import {
  type Code,
  DATA_TYPES,
  FORMAT_CATEGORIES,
  label,
  LEVELS,
  lookup,
  OPEN_TYPES,
  SHARE_MODE_TYPES,
  SHARE_MODES,
  SHARE_TYPES,
  UPDATE_CYCLES,
} from './code-lists.js';

/**
 * The cataloguing sheet clerks fill (编目表): one row per information item, the resource columns repeated
 * on each row. Parsing and writing only (no I/O besides the workbook buffer).
 */
interface Column {
  key: string;
  zh: string;
  list?: readonly Code[];
}

export const COLUMNS: Column[] = [
  { key: 'name', zh: '信息资源名称' },
  { key: 'code', zh: '信息资源代码' },
  { key: 'category', zh: '类' },
  { key: 'item', zh: '项' },
  { key: 'catalog', zh: '目' },
  { key: 'detail', zh: '细目' },
  { key: 'provider', zh: '信息资源提供方代码' },
  { key: 'abstract', zh: '信息资源摘要' },
  { key: 'formatCategory', zh: '格式分类', list: FORMAT_CATEGORIES },
  { key: 'formatType', zh: '格式类型' },
  { key: 'shareType', zh: '共享类型', list: SHARE_TYPES },
  { key: 'shareCondition', zh: '共享条件' },
  { key: 'shareMode', zh: '共享方式', list: SHARE_MODES },
  { key: 'shareModeType', zh: '共享方式类型', list: SHARE_MODE_TYPES },
  { key: 'openType', zh: '开放类型', list: OPEN_TYPES },
  { key: 'openCondition', zh: '开放条件' },
  { key: 'updateCycle', zh: '更新周期', list: UPDATE_CYCLES },
  { key: 'level', zh: '数据分级', list: LEVELS },
  { key: 'relatedCodes', zh: '关联资源代码' },
  { key: 'itemName', zh: '信息项名称' },
  { key: 'dataType', zh: '数据类型', list: DATA_TYPES },
  { key: 'length', zh: '数据长度' },
  { key: 'itemDescription', zh: '信息项描述' },
  { key: 'itemLevel', zh: '信息项分级', list: LEVELS },
  { key: 'piiKind', zh: '个人信息类别' },
  { key: 'masking', zh: '默认脱敏方式' },
  { key: 'itemShareType', zh: '信息项共享类型', list: SHARE_TYPES },
  { key: 'itemOpenType', zh: '信息项开放类型', list: OPEN_TYPES },
  { key: 'notSharedReason', zh: '不予共享依据' },
];

const letter = (i: number) => {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
};
/** The spreadsheet column letter of a field, for error reports. */
export const columnOf = (key: string) => letter(COLUMNS.findIndex((c) => c.key === key));

/** Item-field paths in validation errors → sheet columns. */
const FIELD_COLUMN: Record<string, string> = {
  name: 'name',
  abstract: 'abstract',
  'classification.category': 'category',
  'classification.item': 'item',
  'classification.catalog': 'catalog',
  'classification.detail': 'detail',
  'format.category': 'formatCategory',
  'format.type': 'formatType',
  shareType: 'shareType',
  shareCondition: 'shareCondition',
  shareMode: 'shareMode',
  shareModeType: 'shareModeType',
  openType: 'openType',
  openCondition: 'openCondition',
  updateCycle: 'updateCycle',
  level: 'level',
  providerOrgId: 'provider',
  seq: 'code',
  'items.name': 'itemName',
  'items.dataType': 'dataType',
  'items.length': 'length',
  'items.level': 'itemLevel',
  'items.piiKind': 'piiKind',
  'items.masking': 'masking',
  'items.shareType': 'itemShareType',
  'items.openType': 'itemOpenType',
  'items.notSharedReason': 'notSharedReason',
};

/** Maps a validation error of a sheet resource to its row and column. */
export function locate(field: string, rows: number[]): { row: number; column: string } {
  const m = /^items\[(\d+)\]\.(\w+)$/.exec(field);
  if (m) {
    const key = FIELD_COLUMN[`items.${m[2]}`] ?? 'itemName';
    return {
      row: rows[Number(m[1])] ?? rows[0] ?? 0,
      column: `${columnOf(key)} ${COLUMNS.find((c) => c.key === key)?.zh}`,
    };
  }
  const key =
    FIELD_COLUMN[field.replace(/\[\d+\]$/, '')] ??
    (field.startsWith('relatedCodes') ? 'relatedCodes' : 'name');
  return { row: rows[0] ?? 0, column: `${columnOf(key)} ${COLUMNS.find((c) => c.key === key)?.zh}` };
}

export async function writeSheet(resources: ResourceDto[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('编目表');
  ws.addRow(COLUMNS.map((c) => c.zh));
  ws.getRow(1).font = { bold: true };
  for (const r of resources) {
    for (const i of r.items) {
      const v: Record<string, unknown> = {
        name: r.name,
        code: r.code,
        category: r.classification.category,
        item: r.classification.item,
        catalog: r.classification.catalog,
        detail: r.classification.detail ?? '',
        provider: r.providerCode,
        abstract: r.abstract,
        formatCategory: label(FORMAT_CATEGORIES, r.format.category),
        formatType: r.format.type,
        shareType: label(SHARE_TYPES, r.shareType),
        shareCondition: r.shareCondition ?? '',
        shareMode: label(SHARE_MODES, r.shareMode),
        shareModeType: r.shareModeType ? label(SHARE_MODE_TYPES, r.shareModeType) : '',
        openType: label(OPEN_TYPES, r.openType),
        openCondition: r.openCondition ?? '',
        updateCycle: label(UPDATE_CYCLES, r.updateCycle),
        level: label(LEVELS, r.level),
        relatedCodes: r.relatedCodes.join(';'),
        itemName: i.name,
        dataType: i.dataType,
        length: i.length ?? '',
        itemDescription: i.description ?? '',
        itemLevel: label(LEVELS, i.level),
        piiKind: i.piiKind ?? '',
        masking: i.masking ?? '',
        itemShareType: label(SHARE_TYPES, i.shareType),
        itemOpenType: label(OPEN_TYPES, i.openType),
        notSharedReason: i.notSharedReason ?? '',
      };
      ws.addRow(COLUMNS.map((c) => v[c.key]));
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface SheetResource {
  input: ResourceCreateInput;
  /** Spreadsheet row numbers, one per item (row 1 is the header). */
  rows: number[];
  providerRef: string;
}

const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) {
    return '';
  }
  if (typeof v === 'object') {
    if ('richText' in v) {
      return v.richText.map((t) => t.text).join('');
    }
    if ('text' in v) {
      return String(v.text);
    }
    if ('result' in v) {
      return String(v.result ?? '');
    }
    if (v instanceof Date) {
      return v.toISOString().slice(0, 10);
    }
  }
  return String(v).trim();
};

/**
 * Reads the sheet: groups rows into resources (same name + provider), keeps code-list cells as written
 * (the service validates them), and reports structural problems (unknown headers) by column.
 */
export async function readSheet(buffer: Buffer): Promise<{
  resources: SheetResource[];
  errors: Array<{ row: number; column: string; reason: string; value?: unknown }>;
}> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  const errors: Array<{ row: number; column: string; reason: string; value?: unknown }> = [];
  if (!ws) {
    return { resources: [], errors: [{ row: 0, column: '', reason: 'noSheet' }] };
  }
  const header = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(cellText);
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    const col = COLUMNS.find((c) => c.zh === h || c.key === h);
    if (col) {
      index.set(col.key, i + 1);
    } else if (h) {
      errors.push({ row: 1, column: letter(i), reason: 'unknownColumn', value: h });
    }
  });
  for (const required of ['name', 'itemName', 'dataType']) {
    if (!index.has(required)) {
      errors.push({
        row: 1,
        column: COLUMNS.find((c) => c.key === required)?.zh ?? required,
        reason: 'required',
      });
    }
  }
  const groups = new Map<string, SheetResource>();
  ws.eachRow((row, n) => {
    if (n === 1) {
      return;
    }
    const get = (key: string) => {
      const i = index.get(key);
      return i ? cellText(row.getCell(i).value) : '';
    };
    if (COLUMNS.every((c) => get(c.key) === '')) {
      return;
    }
    const code = (list: readonly Code[] | undefined, raw: string) =>
      list && raw ? (lookup(list, raw)?.value ?? raw) : raw;
    const col = (key: string) => code(COLUMNS.find((c) => c.key === key)?.list, get(key));
    const key = `${get('provider')}\u0000${get('name')}`;
    let g = groups.get(key);
    if (!g) {
      const seq = get('code').split('/')[1];
      const input: ResourceCreateInput = {
        name: get('name'),
        classification: {
          category: get('category'),
          item: get('item'),
          catalog: get('catalog'),
          ...(get('detail') ? { detail: get('detail') } : {}),
        },
        ...(seq ? { seq } : {}),
        abstract: get('abstract'),
        format: { category: col('formatCategory'), type: get('formatType') },
        items: [],
        shareType: col('shareType'),
        shareCondition: get('shareCondition') || null,
        ...(get('shareMode') ? { shareMode: col('shareMode') } : {}),
        shareModeType: col('shareModeType') || null,
        openType: col('openType'),
        openCondition: get('openCondition') || null,
        updateCycle: col('updateCycle'),
        ...(get('level') ? { level: col('level') } : {}),
        relatedCodes: get('relatedCodes')
          ? get('relatedCodes')
              .split(/[;；,，\s]+/)
              .filter(Boolean)
          : [],
      };
      g = { input, rows: [], providerRef: get('provider') };
      groups.set(key, g);
    }
    const length = get('length');
    const item: ItemInputDto = {
      name: get('itemName'),
      dataType: col('dataType'),
      ...(length
        ? { length: Number.isInteger(Number(length)) ? Number(length) : (length as unknown as number) }
        : {}),
      description: get('itemDescription') || null,
      ...(get('itemLevel') ? { level: col('itemLevel') } : {}),
      piiKind: get('piiKind') || null,
      masking: get('masking') || null,
      ...(get('itemShareType') ? { shareType: col('itemShareType') } : {}),
      ...(get('itemOpenType') ? { openType: col('itemOpenType') } : {}),
      notSharedReason: get('notSharedReason') || null,
    };
    g.input.items.push(item);
    g.rows.push(n);
  });
  return { resources: [...groups.values()], errors };
}
