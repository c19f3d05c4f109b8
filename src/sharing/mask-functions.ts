/**
 * Per-value masking functions (pure). Conventions from reference/identifiers.md §6 and cn-rules.md §8.2:
 * the mask keeps the hidden length so formats stay recognisable, unless a fixed mask is asked for
 * (when length itself is sensitive). Landline and passport conventions are not in the references; they follow
 * hutool `DesensitizedUtil` (landline: keep first 4 + last 2; passport: keep first 2 + last 2) — unverified.
 */
import {
  digitsOnly,
  type IdentifierKind,
  normalizeIdNumber,
  normalizeMobile,
  toHalfWidth,
} from './normalize.js';

export const MASK_CHAR = '*';
export const FIXED_MASK = '****';

/**
 * Keep the first `first` and last `last` characters (by code point), mask the rest. If the value is too short
 * to hide anything that way, everything is masked. `fixed` replaces the hidden part by a fixed-length mask.
 */
export function keepEnds(value: string, first: number, last: number, fixed?: string): string {
  const chars = Array.from(value);
  const hidden = chars.length - first - last;
  if (hidden <= 0) {
    return fixed ?? MASK_CHAR.repeat(chars.length);
  }
  return (
    chars.slice(0, first).join('') +
    (fixed ?? MASK_CHAR.repeat(hidden)) +
    chars.slice(chars.length - last).join('')
  );
}

/** ASCII-only fast path of keepEnds (identifier values are ASCII after normalisation). */
function keepEndsAscii(value: string, first: number, last: number, fixed?: string): string {
  const hidden = value.length - first - last;
  if (hidden <= 0) {
    return fixed ?? MASK_CHAR.repeat(value.length);
  }
  return value.slice(0, first) + (fixed ?? MASK_CHAR.repeat(hidden)) + value.slice(value.length - last);
}

/** Compound surnames (复姓) kept whole by `maskName(…, { compoundSurname: true })`. */
export const COMPOUND_SURNAMES = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '令狐',
  '端木',
  '独孤',
  '南宫',
  '西门',
  '轩辕',
  '呼延',
  '澹台',
  '公冶',
  '太史',
  '申屠',
  '闻人',
  '钟离',
  '宗政',
  '濮阳',
]);

/** 姓名: keep the first character, one `*` per remaining character (`张三丰` → `张**`). */
export function maskName(value: string, opts: { compoundSurname?: boolean; fixed?: boolean } = {}): string {
  const v = toHalfWidth(value).trim();
  // Without surrogate pairs a UTF-16 unit is a character: skip Array.from (the common case).
  const chars = /[\uD800-\uDFFF]/.test(v) ? Array.from(v) : v;
  if (chars.length === 0) {
    return v;
  }
  const keep =
    opts.compoundSurname && chars.length > 2 && COMPOUND_SURNAMES.has(chars[0]! + chars[1]!) ? 2 : 1;
  if (chars.length <= keep) {
    return chars[0] + (opts.fixed ? FIXED_MASK : MASK_CHAR);
  }
  const head = typeof chars === 'string' ? chars.slice(0, keep) : chars.slice(0, keep).join('');
  return head + (opts.fixed ? FIXED_MASK : MASK_CHAR.repeat(chars.length - keep));
}

/** 身份证号: keep first 6 (region) + last 4 (`110105********002X`); `short` keeps first 1 + last 1. */
export function maskIdNumber(value: string, opts: { short?: boolean; fixed?: boolean } = {}): string {
  const id = normalizeIdNumber(value);
  const fixed = opts.fixed ? FIXED_MASK : undefined;
  return opts.short ? keepEndsAscii(id, 1, 1, fixed) : keepEndsAscii(id, 6, 4, fixed);
}

/** 手机号: keep first 3 + last 4 (`138****1234`); `lastOnly` keeps the last 4. */
export function maskMobile(value: string, opts: { lastOnly?: boolean; fixed?: boolean } = {}): string {
  const m = normalizeMobile(value);
  const fixed = opts.fixed ? FIXED_MASK : undefined;
  return opts.lastOnly ? keepEndsAscii(m, 0, 4, fixed) : keepEndsAscii(m, 3, 4, fixed);
}

/** 银行卡号: keep first 6 (BIN) + last 4 (`622202*********0128`); `lastOnly` keeps the last 4. */
export function maskBankCard(value: string, opts: { lastOnly?: boolean; fixed?: boolean } = {}): string {
  const d = digitsOnly(value);
  const fixed = opts.fixed ? FIXED_MASK : undefined;
  return opts.lastOnly ? keepEndsAscii(d, 0, 4, fixed) : keepEndsAscii(d, 6, 4, fixed);
}

/** 固定电话 (unverified convention, hutool): keep first 4 + last 2 of the digits (`0288****34`). */
export function maskLandline(value: string, opts: { fixed?: boolean } = {}): string {
  return keepEndsAscii(digitsOnly(value), 4, 2, opts.fixed ? FIXED_MASK : undefined);
}

/** 护照号 (unverified convention, hutool): keep first 2 + last 2 (`E1*****78`). */
export function maskPassport(value: string, opts: { fixed?: boolean } = {}): string {
  const p = toHalfWidth(value).replace(/\s/g, '').toUpperCase();
  return keepEndsAscii(p, 2, 2, opts.fixed ? FIXED_MASK : undefined);
}

/** Email (no Chinese convention): keep the first character of the local part and the domain (`z*******@example.cn`). */
export function maskEmail(value: string, opts: { fixed?: boolean } = {}): string {
  const v = toHalfWidth(value).trim();
  const at = v.lastIndexOf('@');
  if (at <= 0) {
    return keepEnds(v, 1, 0, opts.fixed ? FIXED_MASK : undefined);
  }
  return keepEnds(v.slice(0, at), 1, 0, opts.fixed ? FIXED_MASK : undefined) + v.slice(at);
}

const PROVINCE_RE = /^(.*?(?:省|自治区|特别行政区))/u;
const CITY_RE = /^(.*?(?:市|自治州|地区|盟))/u;
const DISTRICT_RE = /^(.*?(?:区|县|旗|市))/u;
const MUNICIPALITIES = ['北京市', '上海市', '天津市', '重庆市'];

/**
 * The administrative prefix of a Chinese address down to `level` (`district` = 区/县/旗/县级市), or
 * undefined when it cannot be found. Heuristic on the text: 省/自治区 → 市/自治州/地区/盟 → 区/县/旗/市.
 * (A street name containing 区 before any district, such as “某某小区”, can be mistaken for a district.)
 */
export function addressPrefix(value: string, level: 'province' | 'city' | 'district'): string | undefined {
  let rest = toHalfWidth(value).replace(/\s+/g, '');
  let prefix = '';
  const muni = MUNICIPALITIES.find((m) => rest.startsWith(m));
  if (muni) {
    prefix = muni;
    rest = rest.slice(muni.length);
    if (level !== 'district') {
      return prefix;
    }
  } else {
    const p = PROVINCE_RE.exec(rest)?.[1];
    if (p) {
      prefix = p;
      rest = rest.slice(p.length);
      if (level === 'province') {
        return prefix;
      }
    } else if (level === 'province') {
      return undefined;
    }
    const c = CITY_RE.exec(rest)?.[1];
    if (c) {
      prefix += c;
      rest = rest.slice(c.length);
      if (level === 'city') {
        return prefix;
      }
    } else if (level === 'city') {
      return prefix || undefined;
    }
  }
  const d = DISTRICT_RE.exec(rest)?.[1];
  if (d && d.length <= 8) {
    return prefix + d;
  }
  return undefined;
}

/** 地址: truncate to district level and mask the rest with a fixed mask (`北京市朝阳区****`). */
export function maskAddress(value: string, opts: { level?: 'province' | 'city' | 'district' } = {}): string {
  const p = addressPrefix(value, opts.level ?? 'district') ?? addressPrefix(value, 'city');
  return (p ?? '') + FIXED_MASK;
}

/** The conventional partial mask for an identifier kind. USCC and 组织机构代码 are public: returned unchanged. */
export function maskByKind(kind: IdentifierKind, value: string, fixed = false): string {
  switch (kind) {
    case 'id_number':
      return maskIdNumber(value, { fixed });
    case 'mobile':
      return maskMobile(value, { fixed });
    case 'landline':
      return maskLandline(value, { fixed });
    case 'bank_card':
      return maskBankCard(value, { fixed });
    case 'uscc':
    case 'org_code':
      return toHalfWidth(value).trim().toUpperCase();
    case 'email':
      return maskEmail(value, { fixed });
    case 'name':
      return maskName(value, { fixed });
    case 'address':
      return maskAddress(value);
    case 'passport':
      return maskPassport(value, { fixed });
  }
}
