/**
 * Type inference, PII/level proposal and value validation for imported tables (pure).
 * Data types per GB/T 21063: C string, N number, Y currency, D date, T datetime, L boolean, M long
 * text, G graphic, B binary, I integer, F float.
 */
import {
  detectKind,
  isBankCard,
  isEmail,
  isMobile,
  isRealDate,
  isResidentId,
  isUscc,
  looksLikeAddress,
  looksLikeChineseName,
  type PiiKind,
  residentIdProblem,
  usccProblem,
} from './identifiers.js';

export type DataType = 'C' | 'N' | 'Y' | 'D' | 'T' | 'L' | 'M' | 'G' | 'B' | 'I' | 'F';
export type Level = 'core' | 'important' | 'general';
export const DATA_TYPES: readonly DataType[] = ['C', 'N', 'Y', 'D', 'T', 'L', 'M', 'G', 'B', 'I', 'F'];

export interface ItemSpec {
  name: string;
  dataType: DataType;
  length?: number | undefined;
  level: Level;
  piiKind: string | null;
}

const INT = /^[-+]?\d+$/;
const NUM = /^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/;
const DATE = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/;
const DATETIME =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const TRUE = new Set(['是', 'true', 'TRUE', 'True', 'Y', 'y', '1', '√']);
const FALSE = new Set(['否', 'false', 'FALSE', 'False', 'N', 'n', '0', '×']);

const SETTLE = 1000;
const KIND_TEST: Record<PiiKind, (v: string) => boolean> = {
  resident_id: isResidentId,
  uscc: isUscc,
  mobile: isMobile,
  bank_card: isBankCard,
  email: isEmail,
  name: looksLikeChineseName,
  address: looksLikeAddress,
};

/** Column statistics gathered over the whole file, one value at a time. */
export class ColumnStats {
  rows = 0;
  empty = 0;
  int = 0;
  num = 0;
  date = 0;
  datetime = 0;
  bool = 0;
  maxLength = 0;
  sameLength = -1;
  leadingZero = 0;
  kinds = new Map<PiiKind, number>();

  add(v: string | null): void {
    this.rows++;
    if (v === null || v === '') {
      this.empty++;
      return;
    }
    const len = v.length;
    if (len > this.maxLength) {
      this.maxLength = len;
    }
    this.sameLength = this.sameLength === -1 ? len : this.sameLength === len ? len : -2;
    if (INT.test(v)) {
      this.int++;
      this.num++;
      if (v.length > 1 && v[0] === '0') {
        this.leadingZero++;
      }
    } else if (NUM.test(v)) {
      this.num++;
    } else if (DATE.test(v)) {
      this.date++;
    } else if (DATETIME.test(v)) {
      this.datetime++;
    }
    if (TRUE.has(v) || FALSE.has(v)) {
      this.bool++;
    }
    // After the first values, only the leading candidate kind is tested (every value still counts).
    const filled = this.rows - this.empty;
    if (filled === SETTLE + 1) {
      this.settle();
    }
    let kind: PiiKind | null = null;
    if (len <= 64) {
      if (filled <= SETTLE) {
        kind = detectKind(v);
      } else if (this.candidate && KIND_TEST[this.candidate](v)) {
        kind = this.candidate;
      }
    }
    if (kind) {
      this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    }
  }

  private candidate: PiiKind | null = null;

  private settle(): void {
    let best: PiiKind | null = null;
    for (const [k, n] of this.kinds) {
      if (n >= SETTLE * 0.9 && (!best || n > (this.kinds.get(best) ?? 0))) {
        best = k;
      }
    }
    this.candidate = best;
  }
}

const CODE_NAME = /(代码|编码|编号|号码|证号|卡号|电话|手机|邮编|账号)$/;

/**
 * Proposes an item for a column: the most specific type that fits ≥ 98 % of the non-empty values (the
 * rest are reported as bad values on load), the PII kind matched by ≥ 90 %, and a level: `core`
 * (required) when fewer than 1 % of the rows are empty, `important` for other PII, else `general`.
 */
export function proposeItem(name: string, s: ColumnStats): ItemSpec {
  const filled = s.rows - s.empty;
  const fits = (n: number) => filled > 0 && n >= filled * 0.98;
  let piiKind: PiiKind | null = null;
  for (const [kind, n] of s.kinds) {
    if (filled > 0 && n >= filled * 0.9 && (!piiKind || n > (s.kinds.get(piiKind) ?? 0))) {
      piiKind = kind;
    }
  }
  let dataType: DataType = 'C';
  const codeLike = CODE_NAME.test(name) || s.leadingZero > 0 || (s.sameLength >= 4 && s.maxLength > 4);
  if (piiKind && piiKind !== 'name' && piiKind !== 'address') {
    dataType = 'C';
  } else if (fits(s.int) && !codeLike && s.maxLength <= 15) {
    dataType = 'I';
  } else if (fits(s.num) && !codeLike && s.int < filled) {
    dataType = 'N';
  } else if (fits(s.date)) {
    dataType = 'D';
  } else if (fits(s.date + s.datetime) && s.datetime > 0) {
    dataType = 'T';
  } else if (fits(s.bool) && s.int < filled) {
    dataType = 'L';
  } else if (s.maxLength > 1000) {
    dataType = 'M';
  }
  const level: Level = filled > 0 && s.empty < s.rows * 0.01 ? 'core' : piiKind ? 'important' : 'general';
  const item: ItemSpec = { name, dataType, level, piiKind };
  if (dataType === 'C') {
    item.length = Math.max(1, s.maxLength);
  }
  return item;
}

/** A validation failure: `code` is a stable key (datasets.value.<code> in the message catalogs). */
export interface ValueProblem {
  code: string;
}

export type Checked = { ok: true; value: string | null } | { ok: false; code: string };

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Normalises a date in any accepted spelling to YYYY-MM-DD, or null when it is not a real date. */
export function normalizeDate(v: string): string | null {
  const m = DATE.exec(v) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (!m) {
    return null;
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return isRealDate(y, mo, d) ? `${m[1]}-${pad2(mo)}-${pad2(d)}` : null;
}

/** Validates and normalises one value for an item; empty means null (an error for `core` items). */
export function checkValue(item: ItemSpec, raw: string | null): Checked {
  const v = raw === null ? '' : raw.trim();
  if (v === '') {
    return item.level === 'core' ? { ok: false, code: 'required' } : { ok: true, value: null };
  }
  switch (item.dataType) {
    case 'I':
      return INT.test(v) && v.replace(/^[-+]/, '').length <= 18
        ? { ok: true, value: v }
        : { ok: false, code: 'notInteger' };
    case 'N':
    case 'Y':
    case 'F':
      return NUM.test(v) ? { ok: true, value: v.replaceAll(',', '') } : { ok: false, code: 'notNumber' };
    case 'D': {
      const d = normalizeDate(v);
      return d ? { ok: true, value: d } : { ok: false, code: 'badDate' };
    }
    case 'T': {
      const m = DATETIME.exec(v);
      if (m && isRealDate(Number(m[1]), Number(m[2]), Number(m[3])) && Number(m[4]) < 24) {
        return { ok: true, value: v };
      }
      const d = normalizeDate(v);
      return d ? { ok: true, value: d } : { ok: false, code: 'badDateTime' };
    }
    case 'L':
      return TRUE.has(v)
        ? { ok: true, value: 'true' }
        : FALSE.has(v)
          ? { ok: true, value: 'false' }
          : { ok: false, code: 'notBoolean' };
    case 'C':
    case 'M':
    case 'G':
    case 'B':
      break;
  }
  if (item.length !== undefined && item.dataType === 'C' && v.length > item.length) {
    return { ok: false, code: 'tooLong' };
  }
  switch (item.piiKind) {
    case 'resident_id': {
      const p = residentIdProblem(v);
      return p ? { ok: false, code: `residentId.${p}` } : { ok: true, value: v.toUpperCase() };
    }
    case 'uscc': {
      const p = usccProblem(v);
      return p ? { ok: false, code: `uscc.${p}` } : { ok: true, value: v };
    }
    case 'mobile':
      return isMobile(v)
        ? { ok: true, value: v.replace(/[\s-]/g, '').slice(-11) }
        : { ok: false, code: 'mobile' };
    case 'bank_card':
      return isBankCard(v) ? { ok: true, value: v } : { ok: false, code: 'bankCard' };
    case 'email':
      return isEmail(v) ? { ok: true, value: v } : { ok: false, code: 'email' };
    case null:
    default:
      return { ok: true, value: v };
  }
}

/** The PostgreSQL column type that stores an item's values. */
export function pgType(t: DataType): string {
  switch (t) {
    case 'I':
      return 'bigint';
    case 'N':
    case 'Y':
      return 'numeric';
    case 'F':
      return 'double precision';
    case 'D':
      return 'date';
    case 'T':
      return 'timestamptz';
    case 'L':
      return 'boolean';
    case 'C':
    case 'M':
    case 'G':
    case 'B':
      return 'text';
  }
}

/** Maps a source database column type (PostgreSQL or MySQL) to a GB/T 21063 data type. */
export function dataTypeOfSqlType(sqlType: string): DataType {
  const t = sqlType.toLowerCase();
  if (/^(tinyint\(1\)|bool)/.test(t)) {
    return 'L';
  }
  if (/int|serial/.test(t)) {
    return 'I';
  }
  if (/numeric|decimal|money/.test(t)) {
    return 'N';
  }
  if (/double|float|real/.test(t)) {
    return 'F';
  }
  if (/timestamp|datetime/.test(t)) {
    return 'T';
  }
  if (/^date/.test(t)) {
    return 'D';
  }
  if (/bytea|blob|binary/.test(t)) {
    return 'B';
  }
  if (/^(longtext|mediumtext|json)/.test(t)) {
    return 'M';
  }
  return 'C';
}

/** Escapes one value for PostgreSQL CSV COPY (null → empty unquoted field). */
export function csvField(v: string | null): string {
  if (v === null) {
    return '';
  }
  if (v === '' || /[",\n\r]/.test(v)) {
    return `"${v.replaceAll('"', '""')}"`;
  }
  return v;
}
