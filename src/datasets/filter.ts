/**
 * The row filter every connector understands (pure): a typed AST parsed from request parameters and
 * compiled to parameterised SQL per dialect. Client text only ever becomes (a) an item name looked up
 * in the dataset's own item list, which maps to a column name quoted by the compiler, or (b) a bound
 * parameter value. No client text is ever spliced into SQL.
 *
 * Query-string syntax (docs/datasets.md):
 *   f.<item>=<op>:<value>       one condition per parameter, all AND-ed; ops eq ne lt lte gt gte
 *                               prefix in (values separated by `,`) isNull (value true|false)
 *                               `f.<item>=<value>` without a known op prefix means eq
 *   filter=<JSON>               the full AST, e.g. {"or":[{"eq":["姓名","张三"]},{"not":{"isNull":"电话"}}]}
 */
import { ValidationError } from '../platform/errors.js';

export type Scalar = string | number | boolean;
export type CompareOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';
export type Filter =
  | { op: CompareOp; item: string; value: Scalar }
  | { op: 'in'; item: string; values: Scalar[] }
  | { op: 'prefix'; item: string; value: string }
  | { op: 'isNull'; item: string }
  | { op: 'and' | 'or'; args: Filter[] }
  | { op: 'not'; arg: Filter };

export interface Order {
  item: string;
  desc: boolean;
}

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte'];
const MAX_NODES = 200;
const MAX_IN = 1000;
const MAX_DEPTH = 16;

const bad = (reason: string, field = 'filter') =>
  new ValidationError('FILTER_INVALID', 'error.filterInvalid', {
    params: { reason },
    details: { field, reason },
  });

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
}

/** Parses the JSON form of the AST: {"eq":[item,value]}, {"in":[item,[v…]]}, {"isNull":item}, {"and":[…]}, {"not":{…}}. */
export function parseFilterJson(input: unknown): Filter {
  let nodes = 0;
  const walk = (node: unknown, depth: number): Filter => {
    if (++nodes > MAX_NODES) {
      throw bad('too many conditions');
    }
    if (depth > MAX_DEPTH) {
      throw bad('nested too deeply');
    }
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      throw bad('each condition must be an object');
    }
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      throw bad('each condition must have exactly one operator');
    }
    const op = keys[0] as string;
    const arg = (node as Record<string, unknown>)[op];
    if ((COMPARE_OPS as readonly string[]).includes(op) || op === 'prefix') {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !isScalar(arg[1])) {
        throw bad(`${op} takes [item, value]`);
      }
      if (op === 'prefix') {
        return { op: 'prefix', item: arg[0], value: String(arg[1]) };
      }
      return { op: op as CompareOp, item: arg[0], value: arg[1] };
    }
    if (op === 'in') {
      if (
        !Array.isArray(arg) ||
        arg.length !== 2 ||
        typeof arg[0] !== 'string' ||
        !Array.isArray(arg[1]) ||
        arg[1].length === 0 ||
        arg[1].length > MAX_IN ||
        !arg[1].every(isScalar)
      ) {
        throw bad(`in takes [item, [1..${MAX_IN} values]]`);
      }
      return { op: 'in', item: arg[0], values: arg[1] as Scalar[] };
    }
    if (op === 'isNull') {
      if (typeof arg !== 'string') {
        throw bad('isNull takes an item name');
      }
      return { op: 'isNull', item: arg };
    }
    if (op === 'and' || op === 'or') {
      if (!Array.isArray(arg) || arg.length === 0) {
        throw bad(`${op} takes a non-empty list`);
      }
      return { op, args: arg.map((a) => walk(a, depth + 1)) };
    }
    if (op === 'not') {
      return { op: 'not', arg: walk(arg, depth + 1) };
    }
    throw bad(`unknown operator ${op}`);
  };
  return walk(input, 0);
}

/** Turns an AST back into its JSON form (round-trip partner of parseFilterJson). */
export function filterToJson(f: Filter): unknown {
  switch (f.op) {
    case 'in':
      return { in: [f.item, f.values] };
    case 'isNull':
      return { isNull: f.item };
    case 'and':
    case 'or':
      return { [f.op]: f.args.map(filterToJson) };
    case 'not':
      return { not: filterToJson(f.arg) };
    case 'eq':
    case 'ne':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
    case 'prefix':
      return { [f.op]: [f.item, f.value] };
  }
}

/**
 * Parses request parameters: every `f.<item>` parameter and an optional `filter` JSON; all AND-ed.
 * Returns undefined when there is no condition.
 */
export function parseFilterParams(params: Record<string, unknown>): Filter | undefined {
  const parts: Filter[] = [];
  for (const [key, raw] of Object.entries(params)) {
    if (key === 'filter') {
      if (typeof raw !== 'string') {
        throw bad('filter must be JSON text');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw bad('filter is not valid JSON');
      }
      parts.push(parseFilterJson(parsed));
      continue;
    }
    if (!key.startsWith('f.')) {
      continue;
    }
    const item = key.slice(2);
    if (!item) {
      throw bad('empty item name', key);
    }
    for (const text of Array.isArray(raw) ? raw : [raw]) {
      if (typeof text !== 'string') {
        throw bad('condition must be text', key);
      }
      parts.push(parseCondition(item, text));
    }
  }
  if (parts.length > MAX_NODES) {
    throw bad('too many conditions');
  }
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { op: 'and', args: parts };
}

function parseCondition(item: string, text: string): Filter {
  const colon = text.indexOf(':');
  const op = colon > 0 ? text.slice(0, colon) : '';
  const value = colon > 0 ? text.slice(colon + 1) : text;
  if ((COMPARE_OPS as readonly string[]).includes(op)) {
    return { op: op as CompareOp, item, value };
  }
  if (op === 'prefix') {
    return { op: 'prefix', item, value };
  }
  if (op === 'in') {
    const values = value.split(',');
    if (values.length > MAX_IN) {
      throw bad('too many values', `f.${item}`);
    }
    return { op: 'in', item, values };
  }
  if (op === 'isNull') {
    if (value !== 'true' && value !== 'false') {
      throw bad('isNull takes true or false', `f.${item}`);
    }
    return value === 'true' ? { op: 'isNull', item } : { op: 'not', arg: { op: 'isNull', item } };
  }
  return { op: 'eq', item, value: text };
}

/** Parses `order=item,-item2` (a leading `-` means descending). */
export function parseOrder(text: string | undefined): Order[] {
  if (!text) {
    return [];
  }
  return text
    .split(',')
    .filter(Boolean)
    .map((p) => (p.startsWith('-') ? { item: p.slice(1), desc: true } : { item: p, desc: false }));
}

export type Dialect = 'postgres' | 'mysql';

export interface CompiledSql {
  sql: string;
  params: unknown[];
}

/** Quotes an identifier for the dialect (doubling the quote character). */
export function quoteIdent(dialect: Dialect, name: string): string {
  if (name.includes('\u0000')) {
    throw bad('invalid identifier');
  }
  return dialect === 'postgres' ? `"${name.replaceAll('"', '""')}"` : `\`${name.replaceAll('`', '``')}\``;
}

/** Escapes LIKE wildcards with `!` (used with ESCAPE '!', which needs no backslash handling in either dialect). */
export function escapeLike(v: string): string {
  return v.replace(/[!%_]/g, (c) => `!${c}`);
}

const SQL_OPS: Record<CompareOp, string> = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };

/**
 * Compiles a filter to a WHERE fragment. `columns` maps item names to column names; an item not in
 * the map is a validation error. `coerce` converts a client value to the item's type (e.g. numbers).
 * `firstParam` numbers PostgreSQL placeholders ($n) after ones already used by the caller.
 */
export function compileFilter(
  filter: Filter,
  dialect: Dialect,
  columns: ReadonlyMap<string, string>,
  opts: { firstParam?: number; coerce?: (item: string, v: Scalar) => unknown } = {},
): CompiledSql {
  const params: unknown[] = [];
  const base = (opts.firstParam ?? 1) - 1;
  const coerce = opts.coerce ?? ((_i: string, v: Scalar) => v);
  const ph = (v: unknown) => {
    params.push(v);
    return dialect === 'postgres' ? `$${base + params.length}` : '?';
  };
  const col = (item: string) => {
    const c = columns.get(item);
    if (c === undefined) {
      throw new ValidationError('ITEM_UNKNOWN', 'error.itemUnknown', {
        params: { item },
        details: { field: 'filter', item },
      });
    }
    return quoteIdent(dialect, c);
  };
  const walk = (f: Filter): string => {
    switch (f.op) {
      case 'and':
      case 'or':
        return `(${f.args.map(walk).join(f.op === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `(NOT ${walk(f.arg)})`;
      case 'isNull':
        return `(${col(f.item)} IS NULL)`;
      case 'in':
        return `(${col(f.item)} IN (${f.values.map((v) => ph(coerce(f.item, v))).join(', ')}))`;
      case 'prefix':
        return `(${col(f.item)} LIKE ${ph(`${escapeLike(f.value)}%`)} ESCAPE '!')`;
      case 'eq':
      case 'ne':
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        return `(${col(f.item)} ${SQL_OPS[f.op]} ${ph(coerce(f.item, f.value))})`;
    }
  };
  return { sql: walk(filter), params };
}

/**
 * Evaluates a filter against a row in memory with SQL's three-valued logic (null = unknown); a row
 * is selected when the result is true. Reference semantics for tests and small in-process sets.
 */
export function evaluate(filter: Filter, row: Record<string, unknown>): boolean | null {
  const get = (item: string) => row[item] ?? null;
  switch (filter.op) {
    case 'and': {
      const r = filter.args.map((a) => evaluate(a, row));
      return r.includes(false) ? false : r.includes(null) ? null : true;
    }
    case 'or': {
      const r = filter.args.map((a) => evaluate(a, row));
      return r.includes(true) ? true : r.includes(null) ? null : false;
    }
    case 'not': {
      const r = evaluate(filter.arg, row);
      return r === null ? null : !r;
    }
    case 'isNull':
      return get(filter.item) === null;
    case 'in': {
      const v = get(filter.item);
      return v === null ? null : filter.values.includes(v as Scalar);
    }
    case 'prefix': {
      const v = get(filter.item);
      return v === null ? null : String(v).startsWith(filter.value);
    }
    case 'eq':
    case 'ne':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const v = get(filter.item);
      if (v === null) {
        return null;
      }
      const c = v === filter.value ? 0 : (v as number) < (filter.value as number) ? -1 : 1;
      return { eq: c === 0, ne: c !== 0, lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 }[filter.op];
    }
  }
}
