/**
 * Value shapes checked on UTF-8 bytes `buf[s, e)` (pure): the common spellings of an import (digits,
 * YYYY-MM-DD, resident IDs, plain mobiles, Chinese names) without making a string. Each agrees with
 * its string counterpart in values.ts / identifiers.ts on the values it accepts; callers fall back to
 * the string rules for anything else.
 */
import { isRealDate } from './identifiers.js';

export const isDigitByte = (c: number): boolean => c >= 48 && c <= 57;

/** Only ASCII digits (at least one). */
export function digitsOnly(buf: Buffer, s: number, e: number): boolean {
  if (s >= e) {
    return false;
  }
  for (let i = s; i < e; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) {
      return false;
    }
  }
  return true;
}

/** The value of up to 15 ASCII digits. */
export function digitsValue(buf: Buffer, s: number, e: number): number {
  let v = 0;
  for (let i = s; i < e; i++) {
    v = v * 10 + ((buf[i] as number) - 48);
  }
  return v;
}

/** YYYY-MM-DD with digits in place. */
export function isIsoDateBytes(buf: Buffer, s: number, e: number): boolean {
  if (e - s !== 10 || buf[s + 4] !== 45 || buf[s + 7] !== 45) {
    return false;
  }
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) {
      continue;
    }
    const c = buf[s + i] as number;
    if (c < 48 || c > 57) {
      return false;
    }
  }
  return true;
}

/** The length of the value as a JavaScript string (UTF-16 code units) of UTF-8 bytes. */
export function utf16Length(buf: Buffer, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] as number;
    if (c < 0x80) {
      n++;
    } else if ((c & 0xc0) !== 0x80) {
      n += c >= 0xf0 ? 2 : 1;
    }
  }
  return n;
}

/**
 * True when the value's first and last characters are certainly not removed by String.prototype.trim
 * (conservative: any control character, and any lead byte of a non-ASCII blank, answers false).
 */
export function untrimmed(buf: Buffer, s: number, e: number): boolean {
  if (s >= e) {
    return false;
  }
  const c0 = buf[s] as number;
  if (c0 <= 32 || c0 === 0x7f || blankLead(c0)) {
    return false;
  }
  let i = e - 1;
  const last = buf[i] as number;
  if (last < 0x80) {
    return last > 32 && last !== 0x7f;
  }
  while (i > s && ((buf[i] as number) & 0xc0) === 0x80) {
    i--;
  }
  return !blankLead(buf[i] as number);
}

/** Lead bytes of U+0080–U+00BF (incl. NBSP), U+1680, U+2000–U+20FF, U+3000, U+FEFF. */
const blankLead = (c: number) => c === 0xc2 || c === 0xe1 || c === 0xe2 || c === 0xe3 || c === 0xef;

const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = [49, 48, 88, 57, 56, 55, 54, 53, 52, 51, 50]; // '10X98765432'
const PROVINCES = new Uint8Array(100);
for (const p of [
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65, 71, 81, 82, 83,
]) {
  PROVINCES[p] = 1;
}

/** 17 digits then a digit, X or x: the shape every resident ID the byte rules decide has. */
export function residentIdShape(buf: Buffer, s: number, e: number): boolean {
  if (e - s !== 18) {
    return false;
  }
  for (let i = s; i < s + 17; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) {
      return false;
    }
  }
  const l = buf[s + 17] as number;
  return (l >= 48 && l <= 57) || l === 88 || l === 120;
}

// The last answer: a load asks twice about the same bytes (statistics, then validation).
let lastBuf: Buffer | undefined;
let lastStart = -1;
let lastNow = -1;
let lastProblem: string | null = null;
// Today (UTC) as YYYYMMDD for the clock `now` it was computed from.
let todayFor = -1;
let today = 0;

/** residentIdProblem for a value of `residentIdShape`: null, 'check', 'birthDate' or 'province'. */
export function residentIdProblemBytes(buf: Buffer, s: number, now: number): string | null {
  if (buf === lastBuf && s === lastStart && now === lastNow) {
    return lastProblem;
  }
  lastProblem = idProblemBytes(buf, s, now);
  lastBuf = buf;
  lastStart = s;
  lastNow = now;
  return lastProblem;
}

function idProblemBytes(buf: Buffer, s: number, now: number): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += ((buf[s + i] as number) - 48) * (ID_W[i] as number);
  }
  const last = buf[s + 17] as number;
  if (ID_CHECK[sum % 11] !== (last === 120 ? 88 : last)) {
    return 'check';
  }
  const digit = (i: number) => (buf[s + i] as number) - 48;
  const y = digit(6) * 1000 + digit(7) * 100 + digit(8) * 10 + digit(9);
  const m = digit(10) * 10 + digit(11);
  const d = digit(12) * 10 + digit(13);
  if (now !== todayFor) {
    const t = new Date(now);
    today = t.getUTCFullYear() * 10000 + (t.getUTCMonth() + 1) * 100 + t.getUTCDate();
    todayFor = now;
  }
  // Date.UTC(y, m - 1, d) > now exactly when the date is after today (UTC).
  if (!isRealDate(y, m, d) || y < 1800 || y * 10000 + m * 100 + d > today) {
    return 'birthDate';
  }
  if (PROVINCES[digit(0) * 10 + digit(1)] !== 1) {
    return 'province';
  }
  return null;
}

/** isPlainMobile on bytes: 1[3-9] and nine digits. */
export function isPlainMobileBytes(buf: Buffer, s: number, e: number): boolean {
  if (e - s !== 11 || buf[s] !== 49) {
    return false;
  }
  const second = buf[s + 1] as number;
  if (second < 51 || second > 57) {
    return false;
  }
  for (let i = s + 2; i < e; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) {
      return false;
    }
  }
  return true;
}

/**
 * 2–4 characters in U+4E00–U+9FA5 (three UTF-8 bytes each): the first character's code point, else -1.
 * (`looksLikeChineseName` then asks whether it is a surname.)
 */
export function hanNameLead(buf: Buffer, s: number, e: number): number {
  const n = e - s;
  if (n !== 6 && n !== 9 && n !== 12) {
    return -1;
  }
  let lead = -1;
  for (let i = s; i < e; i += 3) {
    const a = buf[i] as number;
    const b = buf[i + 1] as number;
    const c = buf[i + 2] as number;
    if (a < 0xe4 || a > 0xe9 || (b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80) {
      return -1;
    }
    const cp = ((a & 0x0f) << 12) | ((b & 0x3f) << 6) | (c & 0x3f);
    if (cp < 0x4e00 || cp > 0x9fa5) {
      return -1;
    }
    if (lead === -1) {
      lead = cp;
    }
  }
  return lead;
}

/** A YYYY-MM-DD value's parts when it is a real date, else null. */
export function isoDateParts(buf: Buffer, s: number): [number, number, number] | null {
  const digit = (i: number) => (buf[s + i] as number) - 48;
  const y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const m = digit(5) * 10 + digit(6);
  const d = digit(8) * 10 + digit(9);
  return isRealDate(y, m, d) ? [y, m, d] : null;
}
