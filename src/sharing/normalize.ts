/**
 * Normalisation of identifier values before masking, pseudonymising or comparing (verify / 核验).
 * Rules from reference/identifiers.md: ID numbers upper-case the check letter and convert 15 → 18 digits;
 * mobiles drop `+86` / `0086`, spaces and dashes; full-width characters (全角) become half-width.
 */

/** 全角 → 半角 for U+FF01..U+FF5E and the ideographic space U+3000. */
export function toHalfWidth(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0xff01 && c <= 0xff5e) || c === 0x3000) {
      needs = true;
      break;
    }
  }
  if (!needs) {
    return s;
  }
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0xff01 && c <= 0xff5e ? String.fromCharCode(c - 0xfee0) : c === 0x3000 ? ' ' : s.charAt(i);
  }
  return out;
}

/** Half-width, trimmed, inner whitespace runs collapsed to one space. */
export function normalizeText(s: string): string {
  return toHalfWidth(s).trim().replace(/\s+/g, ' ');
}

const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** MOD 11-2 check character of the first 17 digits of a resident ID number (GB 11643). */
export function idCheckChar(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) {
    s += (first17.charCodeAt(i) - 48) * (ID_W[i] ?? 0);
  }
  return ID_CHECK.charAt(s % 11);
}

/** Shape + check character of an 18-character ID number (after normalisation). Dates are not checked here. */
export function isIdNumberChecksumValid(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && idCheckChar(id) === id.charAt(17);
}

const CANONICAL_ID = /^\d{17}[\dX]$/;
const CANONICAL_MOBILE = /^1\d{10}$/;

/**
 * Canonical ID number: half-width, no spaces, upper-case `X`, 15-digit legacy numbers converted to 18
 * (insert `19`, append the check character). Anything else is returned cleaned but unchanged.
 */
export function normalizeIdNumber(raw: string): string {
  if (CANONICAL_ID.test(raw)) {
    return raw; // already canonical: the common case, and the hot path of a masked stream
  }
  const s = toHalfWidth(raw).replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{15}$/.test(s)) {
    const first17 = s.slice(0, 6) + '19' + s.slice(6);
    return first17 + idCheckChar(first17);
  }
  return s;
}

/** Canonical mobile: digits only, `+86` / `0086` / `86` country prefix dropped when 11 digits remain. */
export function normalizeMobile(raw: string): string {
  if (CANONICAL_MOBILE.test(raw)) {
    return raw;
  }
  const s = toHalfWidth(raw).replace(/[\s\-()]/g, '');
  const m = /^(?:\+86|0086|86)?(1\d{10})$/.exec(s);
  return m?.[1] ?? s;
}

/** Digits only (bank cards, landlines keep their digits; separators go). */
export function digitsOnly(raw: string): string {
  return toHalfWidth(raw).replace(/\D/g, '');
}

/** Luhn (ISO/IEC 7812-1). */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) {
    return false;
  }
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) {
        d -= 9;
      }
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Kinds of identifier the masking and verify code knows conventions for. */
export const IDENTIFIER_KINDS = [
  'id_number',
  'mobile',
  'landline',
  'bank_card',
  'uscc',
  'org_code',
  'email',
  'name',
  'address',
  'passport',
] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** The canonical form used for pseudonyms and verify comparisons. */
export function normalizeIdentifier(kind: IdentifierKind | undefined, raw: string): string {
  switch (kind) {
    case 'id_number':
      return normalizeIdNumber(raw);
    case 'mobile':
      return normalizeMobile(raw);
    case 'bank_card':
    case 'landline':
      return digitsOnly(raw);
    case 'uscc':
    case 'org_code':
    case 'passport':
      return toHalfWidth(raw).replace(/[\s-]/g, '').toUpperCase();
    case 'email':
      return toHalfWidth(raw).trim().toLowerCase();
    case 'name':
      return toHalfWidth(raw).replace(/\s+/g, '');
    case 'address':
    case undefined:
      return normalizeText(raw);
  }
}
