/**
 * The one interface every dataset is read through, hosted (in the node's store) or linked (in a
 * department's database): schema, a filtered/ordered/paged row stream, count, and (hosted) a change feed.
 */
import type { Executor } from '../platform/db/database.js';
import type { DatasetItemRow } from '../platform/db/tables/datasets.js';
import { ValidationError } from '../platform/errors.js';
import { compileFilter, type Dialect, type Filter, type Order, quoteIdent, type Scalar } from './filter.js';
import { rawQuery } from './hosted-store.js';

export type Row = Record<string, unknown>;

export interface Page {
  limit: number;
  offset?: number | undefined;
}

export interface Connector {
  schema(): DatasetItemRow[];
  scan(
    items: string[] | undefined,
    filter: Filter | undefined,
    order: Order[],
    page: Page,
  ): AsyncIterable<Row[]>;
  count(filter: Filter | undefined): Promise<number>;
}

export const MAX_PAGE = 100_000_000;

/** Builds `SELECT <items> FROM <table> WHERE … ORDER BY … LIMIT … OFFSET …` for a dialect. */
export function buildSelect(
  dialect: Dialect,
  table: string,
  schema: DatasetItemRow[],
  items: string[] | undefined,
  filter: Filter | undefined,
  order: Order[],
  page: Page | undefined,
  extraOrder?: string,
): { sql: string; params: unknown[]; names: string[] } {
  const byName = new Map(schema.map((i) => [i.name, i]));
  const columns = new Map(schema.map((i) => [i.name, i.column]));
  const names = items && items.length ? items : schema.map((i) => i.name);
  const cols = names.map((n) => {
    const c = columns.get(n);
    if (c === undefined) {
      throw new ValidationError('ITEM_UNKNOWN', 'error.itemUnknown', {
        params: { item: n },
        details: { field: 'items', item: n },
      });
    }
    return quoteIdent(dialect, c);
  });
  let text = `SELECT ${cols.join(', ')} FROM ${table}`;
  let params: unknown[] = [];
  if (filter) {
    const w = compileFilter(filter, dialect, columns, { coerce: (item, v) => coerce(byName.get(item), v) });
    text += ` WHERE ${w.sql}`;
    params = w.params;
  }
  const orderSql = order.map((o) => {
    const c = columns.get(o.item);
    if (c === undefined) {
      throw new ValidationError('ITEM_UNKNOWN', 'error.itemUnknown', {
        params: { item: o.item },
        details: { field: 'order', item: o.item },
      });
    }
    return `${quoteIdent(dialect, c)} ${o.desc ? 'DESC' : 'ASC'}`;
  });
  if (extraOrder) {
    orderSql.push(extraOrder);
  }
  if (orderSql.length) {
    text += ` ORDER BY ${orderSql.join(', ')}`;
  }
  if (page) {
    const limit = Math.max(0, Math.min(MAX_PAGE, Math.floor(page.limit)));
    const offset = Math.max(0, Math.floor(page.offset ?? 0));
    text += ` LIMIT ${limit}`;
    if (offset) {
      text += ` OFFSET ${offset}`;
    }
  }
  return { sql: text, params, names };
}

/** Converts a client value to the item's type so comparisons are typed (numbers as numbers …). */
function coerce(item: DatasetItemRow | undefined, v: Scalar): unknown {
  if (!item) {
    return v;
  }
  if ('INYF'.includes(item.dataType) && typeof v === 'string') {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) {
      throw new ValidationError('FILTER_INVALID', 'error.filterInvalid', {
        params: { reason: `${item.name} expects a number` },
        details: { field: 'filter', item: item.name },
      });
    }
    return n;
  }
  if (item.dataType === 'L' && typeof v === 'string') {
    return v === 'true' || v === '是' || v === '1';
  }
  return typeof v === 'boolean' || typeof v === 'number' ? v : String(v);
}

/** Renames columns to item names in place of the positional SELECT list. */
export function toItemRow(raw: Row, names: string[], cols: string[]): Row {
  const out: Row = {};
  for (let i = 0; i < names.length; i++) {
    out[names[i] as string] = raw[cols[i] as string];
  }
  return out;
}

/** A hosted dataset: the current version's table in the node's store. */
export class HostedConnector implements Connector {
  constructor(
    private readonly db: Executor,
    private readonly table: string | null,
    private readonly items: DatasetItemRow[],
  ) {}

  schema(): DatasetItemRow[] {
    return this.items;
  }

  async *scan(
    items: string[] | undefined,
    filter: Filter | undefined,
    order: Order[],
    page: Page,
  ): AsyncIterable<Row[]> {
    if (!this.table) {
      return;
    }
    const batch = 5000;
    const want = Math.min(MAX_PAGE, page.limit);
    let offset = page.offset ?? 0;
    let left = want;
    while (left > 0) {
      const q = buildSelect(
        'postgres',
        `"${this.table}"`,
        this.items,
        items,
        filter,
        order,
        { limit: Math.min(batch, left), offset },
        '_rn ASC',
      );
      const rows = await rawQuery<Row>(this.db, q.sql, q.params);
      const cols = q.names.map((n) => this.items.find((i) => i.name === n)?.column as string);
      yield rows.map((r) => toItemRow(r, q.names, cols));
      if (rows.length < Math.min(batch, left)) {
        return;
      }
      left -= rows.length;
      offset += rows.length;
    }
  }

  async count(filter: Filter | undefined): Promise<number> {
    if (!this.table) {
      return 0;
    }
    const q = buildSelect('postgres', `"${this.table}"`, this.items, undefined, filter, [], undefined);
    const text = q.sql.replace(/^SELECT .*? FROM/, 'SELECT count(*)::bigint AS n FROM');
    const rows = await rawQuery<{ n: number | string }>(this.db, text, q.params);
    return Number(rows[0]?.n ?? 0);
  }
}
