/**
 * Generalisation (泛化) for quasi-identifiers: date → year / month, age → band, region code → higher level,
 * address → administrative prefix. Pure. Calendar dates are read in Asia/Shanghai (UTC+8, no DST since 1991):
 * a `Date` instant is shifted by +8 h before its calendar fields are read, so 2024-12-31T16:30Z is 2025-01-01.
 */
import { normalizeIdNumber, toHalfWidth } from './normalize.js';

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

/** `YYYY-MM-DD` of an instant in Asia/Shanghai. */
export function shanghaiDateOf(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

const PLAIN_DATE = /^(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Calendar date `YYYY-MM-DD` of a value: a `Date` (read in Shanghai), a plain date (`2025-01-02`, `20250102`,
 * `2025/01/02`), or an ISO timestamp with an offset (read in Shanghai). Undefined when not a date.
 */
export function calendarDate(value: unknown): string | undefined {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? undefined : shanghaiDateOf(value);
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  if (ISO_DATE.test(value)) {
    return value; // already canonical (what hosted datasets hand out): the common case, no rewriting
  }
  const v = toHalfWidth(value).trim();
  const plain = PLAIN_DATE.exec(v);
  if (plain) {
    return `${plain[1]}-${plain[2]}-${plain[3]}`;
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(v);
    if (!hasZone) {
      return v.slice(0, 10); // a local timestamp: its date as written
    }
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? undefined : shanghaiDateOf(d);
  }
  return undefined;
}

/** Date → `YYYY` or `YYYY-MM`; null when the value is not a date. */
export function generalizeDate(value: unknown, to: 'year' | 'month'): string | null {
  const d = calendarDate(value);
  if (!d) {
    return null;
  }
  return to === 'year' ? d.slice(0, 4) : d.slice(0, 7);
}

/** Completed years between a birth date and a reference date (both `YYYY-MM-DD`). */
export function ageAt(birth: string, reference: string): number {
  const by = Number(birth.slice(0, 4));
  const ry = Number(reference.slice(0, 4));
  const birthdayPassed = reference.slice(5) >= birth.slice(5);
  return ry - by - (birthdayPassed ? 0 : 1);
}

export interface AgeBandSpec {
  /** Band width in years (default 10): 30 → `30-39`. Ignored when `bounds` is given. */
  width?: number;
  /** Ascending cut points, e.g. [18, 35, 60] → `<18`, `18-34`, `35-59`, `60+`. */
  bounds?: readonly number[];
  /** Top-coding for width bands: ages ≥ top → `${top}+`. */
  top?: number;
}

/** The band label of an age. */
export function ageBand(age: number, spec: AgeBandSpec = {}): string {
  if (spec.bounds && spec.bounds.length > 0) {
    const b = spec.bounds;
    if (age < b[0]!) {
      return `<${b[0]}`;
    }
    for (let i = 0; i < b.length - 1; i++) {
      if (age >= b[i]! && age < b[i + 1]!) {
        return `${b[i]}-${b[i + 1]! - 1}`;
      }
    }
    return `${b[b.length - 1]}+`;
  }
  if (spec.top !== undefined && age >= spec.top) {
    return `${spec.top}+`;
  }
  const w = spec.width ?? 10;
  const lo = Math.floor(age / w) * w;
  return `${lo}-${lo + w - 1}`;
}

/**
 * Age band of a value: a number is an age; a date is a birth date; with `source: 'id_number'` the birth date is
 * read from digits 7–14 of a resident ID number. Ages are computed at `referenceDate` (required for dates).
 */
export function generalizeAge(
  value: unknown,
  spec: AgeBandSpec & { source?: 'age' | 'birth_date' | 'id_number'; referenceDate?: string },
): string | null {
  let age: number | undefined;
  if (typeof value === 'number' || spec.source === 'age') {
    const n = Number(value);
    age = Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
  } else {
    let birth: string | undefined;
    if (spec.source === 'id_number' && typeof value === 'string') {
      const id = normalizeIdNumber(value);
      birth = /^\d{17}[\dX]$/.test(id) ? calendarDate(id.slice(6, 14)) : undefined;
    } else {
      birth = calendarDate(value);
    }
    if (birth && spec.referenceDate) {
      age = ageAt(birth, spec.referenceDate);
    }
  }
  return age === undefined || age < 0 ? null : ageBand(age, spec);
}

/**
 * GB/T 2260 code (6 digits; 9/12-digit statistical codes and ID numbers use their first 6) raised to
 * `province` (PP0000), `prefecture` (PPCC00) or `county` (PPCCDD).
 */
export function generalizeRegionCode(
  value: unknown,
  to: 'province' | 'prefecture' | 'county',
): string | null {
  const s = toHalfWidth(String(value)).trim();
  if (!/^\d{6}/.test(s)) {
    return null;
  }
  const code = s.slice(0, 6);
  return to === 'province' ? code.slice(0, 2) + '0000' : to === 'prefecture' ? code.slice(0, 4) + '00' : code;
}
