/**
 * Type inference, PII/level proposal and value validation for imported tables (pure).
 * Data types per GB/T 21063: C string, N number, Y currency, D date, T datetime, L boolean, M long
 * text, G graphic, B binary, I integer, F float.
 */
import {
  detectKind,
  isPlainMobile,
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
  SURNAME_CODES,
  usccProblem,
} from './identifiers.js';
import {
  hanNameLead,
  isIsoDateBytes,
  isPlainMobileBytes,
  residentIdProblemBytes,
  residentIdShape,
} from './byte-rules.js';

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

/** INT.test(v) without the regex. */
function isIntText(v: string): boolean {
  const n = v.length;
  let i = 0;
  const c0 = v.charCodeAt(0);
  if (c0 === 43 || c0 === 45) {
    i = 1;
  }
  if (i >= n) {
    return false;
  }
  for (; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) {
      return false;
    }
  }
  return true;
}

/** YYYY-MM-DD with digits in place (a shape DATE also accepts), checked without the regex. */
function isIsoDateText(v: string): boolean {
  if (v.length !== 10 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) {
    return false;
  }
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) {
      continue;
    }
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) {
      return false;
    }
  }
  return true;
}

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
    // The numeric and date patterns all start with a sign or a digit; skip them for other text.
    const c0 = v.charCodeAt(0);
    if ((c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 45) {
      if (isIntText(v)) {
        this.int++;
        this.num++;
        if (v.length > 1 && v[0] === '0') {
          this.leadingZero++;
        }
      } else if (isIsoDateText(v)) {
        // (NUM never matches YYYY-MM-DD, so the order of the two tests does not matter.)
        this.date++;
      } else if (NUM.test(v)) {
        this.num++;
      } else if (DATE.test(v)) {
        this.date++;
      } else if (DATETIME.test(v)) {
        this.datetime++;
      }
    }
    // The boolean spellings are one character, or start with t/T/f/F (true, false).
    if (
      (len === 1 || ((len === 4 || len === 5) && (c0 === 116 || c0 === 84 || c0 === 102 || c0 === 70))) &&
      (TRUE.has(v) || FALSE.has(v))
    ) {
      this.bool++;
    }
    // After the first values, only the leading candidate kind is tested (every value still counts).
    const filled = this.rows - this.empty;
    if (filled === SETTLE + 1) {
      this.settle();
    }
    if (len <= 64) {
      if (filled <= SETTLE) {
        const kind = detectKind(v);
        if (kind) {
          this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
        }
      } else if (this.candidate && this.candidateTest?.(v)) {
        this.candidateHits++;
      }
    }
  }

  /**
   * `add` for the UTF-8 bytes buf[s, e) (s < 0: no value), with the same effect: the common shapes are
   * counted on the bytes, anything else (and the first values, which every kind is tested on) goes
   * through `add` as a string. `now` stands for the clock of the resident ID birth-date rule.
   */
  addBytes(buf: Buffer, s: number, e: number, now: number): void {
    if (s < 0 || s >= e) {
      this.add(null);
      return;
    }
    if (this.rows - this.empty <= SETTLE) {
      this.add(buf.toString('utf8', s, e));
      return;
    }
    // Shortcuts for the shapes settled identifier and date columns are made of (the counts the general
    // path below would make, without its loop).
    const candidate = this.candidate;
    if (candidate === 'resident_id' && residentIdShape(buf, s, e)) {
      this.counted(18);
      if ((buf[e - 1] as number) <= 57) {
        this.int++;
        this.num++;
        if (buf[s] === 48) {
          this.leadingZero++;
        }
      }
      if (residentIdProblemBytes(buf, s, now) === null) {
        this.candidateHits++;
      }
      return;
    }
    if (candidate === 'mobile' && isPlainMobileBytes(buf, s, e)) {
      this.counted(11);
      this.int++;
      this.num++;
      this.candidateHits++;
      return;
    }
    if (candidate === 'name') {
      const lead = hanNameLead(buf, s, e);
      if (lead !== -1) {
        this.counted((e - s) / 3);
        if (SURNAME_CODES.has(lead) || looksLikeChineseName(buf.toString('utf8', s, e))) {
          this.candidateHits++;
        }
        return;
      }
    }
    if (candidate === null && isIsoDateBytes(buf, s, e)) {
      this.counted(10);
      this.date++;
      return;
    }
    let units = 0;
    let ascii = true;
    let digits = true;
    // Only characters the number and date patterns are made of (ASCII ones; 年月日 are not ASCII).
    let numeric = true;
    for (let i = s; i < e; i++) {
      const c = buf[i] as number;
      if (c < 0x80) {
        units++;
        if (c < 48 || c > 57) {
          digits = false;
          if (!(
            c === 43 ||
            c === 44 ||
            c === 45 ||
            c === 46 ||
            c === 47 ||
            c === 58 ||
            c === 32 ||
            c === 84 ||
            c === 90
          )) {
            numeric = false;
          }
        }
      } else {
        ascii = false;
        digits = false;
        if ((c & 0xc0) !== 0x80) {
          units += c >= 0xf0 ? 2 : 1;
        }
      }
    }
    const c0 = buf[s] as number;
    const signOrDigit = (c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 45;
    const isoDate = signOrDigit && !digits && isIsoDateBytes(buf, s, e);
    if (signOrDigit && !digits && !isoDate && (!ascii || numeric)) {
      // Signed numbers, decimals, other date spellings: the patterns decide.
      this.add(buf.toString('utf8', s, e));
      return;
    }
    const len = units;
    this.counted(len);
    if (digits) {
      this.int++;
      this.num++;
      if (len > 1 && c0 === 48) {
        this.leadingZero++;
      }
    } else if (isoDate) {
      this.date++;
    }
    let v: string | undefined;
    if (len === 1 || ((len === 4 || len === 5) && (c0 === 116 || c0 === 84 || c0 === 102 || c0 === 70))) {
      v = buf.toString('utf8', s, e);
      if (TRUE.has(v) || FALSE.has(v)) {
        this.bool++;
      }
    }
    if (len > 64 || candidate === null) {
      return;
    }
    let hit: boolean;
    if (candidate === 'resident_id' && residentIdShape(buf, s, e)) {
      hit = residentIdProblemBytes(buf, s, now) === null;
    } else if (candidate === 'mobile' && isPlainMobileBytes(buf, s, e)) {
      hit = true;
    } else if (candidate === 'name' && (e - s) % 3 === 0) {
      const lead = hanNameLead(buf, s, e);
      hit = lead !== -1 && (SURNAME_CODES.has(lead) || looksLikeChineseName(buf.toString('utf8', s, e)));
    } else {
      hit = (this.candidateTest as (v: string) => boolean)(v ?? buf.toString('utf8', s, e));
    }
    if (hit) {
      this.candidateHits++;
    }
  }

  /** One more filled value of `len` characters. */
  private counted(len: number): void {
    this.rows++;
    if (len > this.maxLength) {
      this.maxLength = len;
    }
    this.sameLength = this.sameLength === -1 ? len : this.sameLength === len ? len : -2;
  }

  private candidate: PiiKind | null = null;
  private candidateTest: ((v: string) => boolean) | undefined;
  /** Matches of the candidate kind after settling (added to `kinds` by `kindCounts`). */
  private candidateHits = 0;

  /** How many values matched each identifier kind. */
  kindCounts(): Map<PiiKind, number> {
    const out = new Map(this.kinds);
    if (this.candidate && this.candidateHits > 0) {
      out.set(this.candidate, (out.get(this.candidate) ?? 0) + this.candidateHits);
    }
    return out;
  }

  private settle(): void {
    let best: PiiKind | null = null;
    for (const [k, n] of this.kinds) {
      if (n >= SETTLE * 0.9 && (!best || n > (this.kinds.get(best) ?? 0))) {
        best = k;
      }
    }
    this.candidate = best;
    this.candidateTest = best ? KIND_TEST[best] : undefined;
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
  const kinds = s.kindCounts();
  for (const [kind, n] of kinds) {
    if (filled > 0 && n >= filled * 0.9 && (!piiKind || n > (kinds.get(piiKind) ?? 0))) {
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

/** A failed check, shared per code (a per-value checker allocates nothing on the common path). */
export class Failure {
  constructor(readonly code: string) {}
}
const failures = new Map<string, Failure>();
const failure = (code: string): Failure => {
  let f = failures.get(code);
  if (!f) {
    f = new Failure(code);
    failures.set(code, f);
  }
  return f;
};
/** The shared Failure of a code. */
export const failureOf = failure;

/**
 * A per-item checker equivalent to `checkValue`, for bulk loads: returns the normalised value (null for
 * empty) or a `Failure`, and `safe` tells whether an accepted value never needs CSV quoting. The common
 * spellings (plain integers, YYYY-MM-DD, 18-character resident IDs, 11-digit mobiles, text) are checked
 * by character loops; anything else goes through `checkValue` itself.
 */
export interface CompiledCheck {
  (raw: string | null): string | null | Failure;
  /** Accepted values of this item are digits, dates or fixed spellings: no CSV quoting needed. */
  safe: boolean;
}

export function compileCheck(item: ItemSpec): CompiledCheck {
  const slow = (raw: string | null): string | null | Failure => {
    const c = checkValue(item, raw);
    return c.ok ? c.value : failure(c.code);
  };
  const required = item.level === 'core' ? failure('required') : null;
  const empty = (raw: string | null): string | null | Failure | undefined => {
    if (raw === null || raw === '') {
      return required;
    }
    return undefined;
  };
  let fn: (raw: string | null) => string | null | Failure = slow;
  let safe = false;
  if (item.dataType === 'I') {
    safe = true;
    fn = (raw) => {
      const e = empty(raw);
      if (e !== undefined) {
        return e;
      }
      const v = raw as string;
      return v.length <= 18 && isDigits(v) ? v : slow(raw);
    };
  } else if (item.dataType === 'D') {
    safe = true;
    fn = (raw) => {
      const e = empty(raw);
      if (e !== undefined) {
        return e;
      }
      const v = raw as string;
      if (isIsoDateText(v)) {
        const digit = (i: number) => v.charCodeAt(i) - 48;
        const y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
        return isRealDate(y, digit(5) * 10 + digit(6), digit(8) * 10 + digit(9)) ? v : failure('badDate');
      }
      return slow(raw);
    };
  } else if (
    item.dataType === 'C' ||
    item.dataType === 'M' ||
    item.dataType === 'G' ||
    item.dataType === 'B'
  ) {
    const max = item.dataType === 'C' ? item.length : undefined;
    const tooLong = failure('tooLong');
    if (item.piiKind === 'resident_id') {
      safe = true;
      fn = (raw) => {
        const e = empty(raw);
        if (e !== undefined) {
          return e;
        }
        const v = raw as string;
        if (v.length === 18 && !isSpace(v.charCodeAt(0)) && !isSpace(v.charCodeAt(17))) {
          if (max !== undefined && v.length > max) {
            return tooLong;
          }
          const p = residentIdProblem(v);
          return p ? failure(`residentId.${p}`) : v.charCodeAt(17) === 120 ? v.toUpperCase() : v;
        }
        return slow(raw);
      };
    } else if (item.piiKind === 'mobile') {
      safe = true;
      fn = (raw) => {
        const e = empty(raw);
        if (e !== undefined) {
          return e;
        }
        const v = raw as string;
        if (isPlainMobile(v) && (max === undefined || v.length <= max)) {
          return v;
        }
        return slow(raw);
      };
    } else if (item.piiKind === null || item.piiKind === 'name' || item.piiKind === 'address') {
      fn = (raw) => {
        const e = empty(raw);
        if (e !== undefined) {
          return e;
        }
        const v = raw as string;
        const last = v.length - 1;
        if (!isSpace(v.charCodeAt(0)) && !isSpace(v.charCodeAt(last))) {
          return max !== undefined && v.length > max ? tooLong : v;
        }
        return slow(raw);
      };
    }
  }
  const check = fn as CompiledCheck;
  check.safe = safe;
  return check;
}

/** Characters String.prototype.trim may remove at either end (conservative: anything ≤ space or non-ASCII blank). */
function isSpace(c: number): boolean {
  return (
    c <= 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function isDigits(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) {
      return false;
    }
  }
  return v.length > 0;
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
