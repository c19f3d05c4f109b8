/**
 * Masking profiles: the per-item rules of a grant, compiled once into a row function for streaming.
 *
 *   const masked = compileProfile({ items, profile, pseudonymKey });   // throws MaskingCompileError
 *   for (const row of rows) out.write(applyProfile(row, masked));        // or masked.apply(row)
 *
 * Defaults follow the item's classification level (after 就高从严 over `derivedFrom`):
 * - 核心 (core): never leaves — compiling a profile that includes a core item fails (`CORE_ITEM`).
 * - 重要 (important): masked unless the grant's profile names a rule for the item (an explicit `clear`
 *   is the grant saying otherwise): the identifier convention of its `kind`, else a fixed `****`.
 * - 一般 (general): clear unless the profile names a rule.
 * The output row holds exactly the compiled columns; anything else in the input row is dropped.
 */
import { type DataLevel, effectiveLevels, type LevelDowngrade } from './levels.js';
import {
  addressPrefix,
  FIXED_MASK,
  keepEnds,
  maskByKind,
  maskIdNumber,
  maskBankCard,
  maskMobile,
  maskName,
} from './mask-functions.js';
import { generalizeAge, generalizeDate, generalizeRegionCode, type AgeBandSpec } from './generalize.js';
import { IDENTIFIER_KINDS, type IdentifierKind } from './normalize.js';
import { type PseudonymKey, pseudonymize } from './pseudonym.js';

export type MaskRule =
  /** Value as stored. */
  | { op: 'clear' }
  /** Always null. */
  | { op: 'null' }
  /** A fixed replacement (default `****`). */
  | { op: 'redact'; text?: string }
  /** The identifier convention of `kind` (identifiers.md §6); `style` picks the documented alternative. */
  | {
      op: 'partial';
      kind: IdentifierKind;
      style?: 'default' | 'short' | 'last_only' | 'compound_surname';
      fixed?: boolean;
    }
  /** Generic: keep the first `first` and last `last` characters. */
  | { op: 'keep'; first: number; last: number; fixed?: boolean }
  /** Keyed pseudonym (HMAC-SM3 / HMAC-SHA256 with the grant's scope key), after normalising by `kind`. */
  | { op: 'pseudonym'; kind?: IdentifierKind }
  /** Date → `YYYY` / `YYYY-MM` (Asia/Shanghai). */
  | { op: 'date'; to: 'year' | 'month' }
  /** Age / birth date / ID number → age band, at `referenceDate` (default: the compile option). */
  | ({ op: 'age_band'; source?: 'age' | 'birth_date' | 'id_number'; referenceDate?: string } & AgeBandSpec)
  /** GB/T 2260 region code (or the first 6 digits of an ID number) → a higher level. */
  | { op: 'region_code'; to: 'province' | 'prefecture' | 'county' }
  /** Address text → its administrative prefix (no mask characters), null when none is found. */
  | { op: 'address'; to: 'province' | 'city' | 'district' };

export type MaskOp = MaskRule['op'];

/** A grant's masking profile: one rule per item; items without a rule get their level's default. */
export type MaskingProfile = Readonly<Record<string, MaskRule>>;

/** What the compiler needs to know about an item of the resource (from the catalog). */
export interface MaskingItem {
  name: string;
  level: DataLevel;
  /** Identifier convention for partial masks and pseudonym normalisation. */
  kind?: IdentifierKind;
  /** Items this one is computed from (就高从严). */
  derivedFrom?: readonly string[];
  downgrade?: LevelDowngrade;
}

export interface CompileOptions {
  /** The resource's items (at least every output column and every `derivedFrom` source). */
  items: readonly MaskingItem[];
  profile: MaskingProfile;
  /** Output columns in order; default: every item in `items`. */
  columns?: readonly string[];
  /** Required when any rule is `pseudonym`. */
  pseudonymKey?: PseudonymKey;
  /** Reference date `YYYY-MM-DD` for age bands computed from dates. */
  referenceDate?: string;
}

export type MaskingErrorCode = 'CORE_ITEM' | 'UNKNOWN_ITEM' | 'PSEUDONYM_KEY_MISSING' | 'INVALID_RULE';

export class MaskingCompileError extends Error {
  constructor(
    readonly code: MaskingErrorCode,
    readonly item: string,
    message: string,
  ) {
    super(`${code}: ${item}: ${message}`);
    this.name = 'MaskingCompileError';
  }
}

export type MaskedRow = Record<string, unknown>;

export interface CompiledProfile {
  /** Output columns, in order. */
  readonly columns: readonly string[];
  /** The rule applied to each column (defaults resolved). */
  readonly rules: Readonly<Record<string, MaskRule>>;
  /** Effective level of each column (就高从严). */
  readonly levels: Readonly<Record<string, DataLevel>>;
  /** Columns whose rule came from the level default, not the profile. */
  readonly defaulted: readonly string[];
  /** Masks one row; returns a new object with exactly `columns`. */
  apply(row: Readonly<Record<string, unknown>>): MaskedRow;
  /**
   * Masks one row straight to its JSON text: the same text as `JSON.stringify(apply(row))`, built from
   * precompiled key prefixes without the intermediate object (streams and pages, per row).
   */
  json(row: Readonly<Record<string, unknown>>): string;
}

/** Characters JSON.stringify escapes in a string: quote, backslash, controls, and (lone) surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON text of a masked value, as JSON.stringify writes it (undefined: the key is left out). */
function jsonValue(v: unknown): string | undefined {
  if (typeof v === 'string') {
    return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
  }
  if (typeof v === 'number') {
    return Number.isFinite(v) ? String(v) : 'null';
  }
  if (v === null) {
    return 'null';
  }
  return typeof v === 'boolean' ? String(v) : (JSON.stringify(v) as string | undefined);
}

type ValueFn = (v: unknown) => unknown;

/** The default rule for a level, or undefined for core (which never leaves). */
export function defaultRuleFor(level: DataLevel, kind: IdentifierKind | undefined): MaskRule | undefined {
  switch (level) {
    case 'core':
      return undefined;
    case 'important':
      return kind && kind !== 'uscc' && kind !== 'org_code' ? { op: 'partial', kind } : { op: 'redact' };
    case 'general':
      return { op: 'clear' };
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));

function nonNeg(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

/** One rule → a value function (null and undefined stay null for every rule). */
function compileRule(item: string, rule: MaskRule, opts: CompileOptions): ValueFn {
  const invalid = (why: string): never => {
    throw new MaskingCompileError('INVALID_RULE', item, why);
  };
  switch (rule.op) {
    case 'clear':
      return (v) => (v === undefined ? null : v);
    case 'null':
      return () => null;
    case 'redact': {
      const text = rule.text ?? FIXED_MASK;
      return (v) => (v === null || v === undefined ? null : text);
    }
    case 'partial': {
      if (!IDENTIFIER_KINDS.includes(rule.kind)) {
        invalid(`unknown identifier kind ${String(rule.kind)}`);
      }
      const fixed = rule.fixed === true;
      const style = rule.style ?? 'default';
      let f: (s: string) => string;
      if (style === 'default') {
        f = (s) => maskByKind(rule.kind, s, fixed);
      } else if (style === 'short' && rule.kind === 'id_number') {
        f = (s) => maskIdNumber(s, { short: true, fixed });
      } else if (style === 'last_only' && rule.kind === 'mobile') {
        f = (s) => maskMobile(s, { lastOnly: true, fixed });
      } else if (style === 'last_only' && rule.kind === 'bank_card') {
        f = (s) => maskBankCard(s, { lastOnly: true, fixed });
      } else if (style === 'compound_surname' && rule.kind === 'name') {
        f = (s) => maskName(s, { compoundSurname: true, fixed });
      } else {
        return invalid(`style ${style} does not apply to ${rule.kind}`);
      }
      return (v) => (v === null || v === undefined ? null : f(str(v)));
    }
    case 'keep': {
      if (!nonNeg(rule.first) || !nonNeg(rule.last)) {
        invalid('keep needs non-negative integer first/last');
      }
      const fixed = rule.fixed ? FIXED_MASK : undefined;
      return (v) => (v === null || v === undefined ? null : keepEnds(str(v), rule.first, rule.last, fixed));
    }
    case 'pseudonym': {
      const key = opts.pseudonymKey;
      if (!key) {
        throw new MaskingCompileError('PSEUDONYM_KEY_MISSING', item, 'a pseudonym rule needs the grant key');
      }
      const kind = rule.kind ?? opts.items.find((i) => i.name === item)?.kind;
      return (v) => (v === null || v === undefined ? null : pseudonymize(key, str(v), kind));
    }
    case 'date': {
      if (rule.to !== 'year' && rule.to !== 'month') {
        invalid('date generalises to year or month');
      }
      return (v) => (v === null || v === undefined ? null : generalizeDate(v, rule.to));
    }
    case 'age_band': {
      const spec = { ...rule, referenceDate: rule.referenceDate ?? opts.referenceDate };
      if (spec.width !== undefined && !(Number.isInteger(spec.width) && spec.width > 0)) {
        invalid('age band width must be a positive integer');
      }
      if (spec.bounds && spec.bounds.some((b, i) => i > 0 && b <= spec.bounds![i - 1]!)) {
        invalid('age band bounds must ascend');
      }
      if ((spec.source === 'birth_date' || spec.source === 'id_number') && !spec.referenceDate) {
        invalid('an age band from a date needs a referenceDate');
      }
      if (spec.source !== 'age' && !spec.referenceDate) {
        // Numbers are ages and need no reference date; dates do.
        return (v) =>
          v === null || v === undefined ? null : typeof v === 'number' ? generalizeAge(v, spec) : null;
      }
      return (v) => (v === null || v === undefined ? null : generalizeAge(v, spec));
    }
    case 'region_code':
      return (v) => (v === null || v === undefined ? null : generalizeRegionCode(v, rule.to));
    case 'address':
      return (v) => (v === null || v === undefined ? null : (addressPrefix(str(v), rule.to) ?? null));
  }
}

/**
 * Compiles a profile against the resource's items. Throws MaskingCompileError for a core item among the
 * output columns, a column or profile rule naming an unknown item, a pseudonym without a key, or a bad rule.
 */
export function compileProfile(opts: CompileOptions): CompiledProfile {
  const byName = new Map(opts.items.map((i) => [i.name, i]));
  const levels = effectiveLevels(opts.items);
  const columns = [...(opts.columns ?? opts.items.map((i) => i.name))];
  for (const name of Object.keys(opts.profile)) {
    if (!byName.has(name)) {
      throw new MaskingCompileError(
        'UNKNOWN_ITEM',
        name,
        'the profile names an item the resource does not have',
      );
    }
  }
  const rules: Record<string, MaskRule> = {};
  const outLevels: Record<string, DataLevel> = {};
  const defaulted: string[] = [];
  const fns: ValueFn[] = [];
  for (const name of columns) {
    const item = byName.get(name);
    if (!item || name === '__proto__') {
      throw new MaskingCompileError('UNKNOWN_ITEM', name, 'not an item of the resource');
    }
    const level = levels.get(name) ?? 'core';
    if (level === 'core') {
      throw new MaskingCompileError('CORE_ITEM', name, '核心数据 never leaves the platform');
    }
    const explicit = Object.prototype.hasOwnProperty.call(opts.profile, name)
      ? opts.profile[name]
      : undefined;
    const rule = explicit ?? defaultRuleFor(level, item.kind)!;
    if (!explicit) {
      defaulted.push(name);
    }
    rules[name] = rule;
    outLevels[name] = level;
    fns.push(compileRule(name, rule, opts));
  }
  const n = columns.length;
  const apply = (row: Readonly<Record<string, unknown>>): MaskedRow => {
    const out: MaskedRow = {};
    for (let i = 0; i < n; i++) {
      const c = columns[i]!;
      // Own properties only: an item named like an Object.prototype member reads as absent when absent.
      out[c] = fns[i]!(Object.hasOwn(row, c) ? row[c] : undefined);
    }
    return out;
  };
  const keys = columns.map((c) => `${JSON.stringify(c)}:`);
  const json = (row: Readonly<Record<string, unknown>>): string => {
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = columns[i]!;
      const t = jsonValue(fns[i]!(Object.hasOwn(row, c) ? row[c] : undefined));
      if (t !== undefined) {
        s += (s === '' ? '{' : ',') + keys[i]! + t;
      }
    }
    return s === '' ? '{}' : `${s}}`;
  };
  return Object.freeze({
    columns: Object.freeze(columns),
    rules: Object.freeze(rules),
    levels: Object.freeze(outLevels),
    defaulted: Object.freeze(defaulted),
    apply,
    json,
  });
}

/** Masks one row with a compiled profile (compile once per grant/stream, apply per row). */
export function applyProfile(row: Readonly<Record<string, unknown>>, compiled: CompiledProfile): MaskedRow {
  return compiled.apply(row);
}
