/**
 * The one interface every dataset is read through, hosted (in the node's store) or linked (in a
 * department's database): schema, a filtered/ordered/paged row stream, count, and (hosted) a change feed.
 */
import type { Executor } from '../platform/db/database.js';
import { prepared } from '../platform/db/prepared.js';
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
  /**
   * Optional fast path (hosted datasets): the same rows as `scan`, with JSON-native values (dates as
   * `YYYY-MM-DD`, timestamps as ISO strings with offset, numbers as numbers), built by the database as
   * one JSON document per batch instead of one protocol row per record.
   */
  scanJson?(
    items: string[] | undefined,
    filter: Filter | undefined,
    order: Order[],
    page: Page,
  ): AsyncIterable<Row[]>;
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

  /**
   * Reads in batches. Without an explicit order the rows come in load order (`_rn`) and each batch
   * continues after the last `_rn` seen (keyset paging on the `_rn` index), so a long stream costs
   * O(rows), not O(rows²) as with OFFSET. With an order, batches page by OFFSET (`_rn` breaks ties).
   */
  async *scan(
    items: string[] | undefined,
    filter: Filter | undefined,
    order: Order[],
    page: Page,
  ): AsyncIterable<Row[]> {
    if (!this.table) {
      return;
    }
    const batch = 10_000;
    const want = Math.min(MAX_PAGE, page.limit);
    const keyset = order.length === 0;
    let offset = page.offset ?? 0;
    let after: number | null = null;
    let left = want;
    let names: string[] | undefined;
    let cols: string[] = [];
    while (left > 0) {
      const size = Math.min(batch, left);
      const q = buildSelect(
        'postgres',
        `"${this.table}"`,
        this.items,
        items,
        filter,
        order,
        { limit: size, offset: after === null ? offset : 0 },
        '_rn ASC',
      );
      let text = q.sql;
      const params = q.params;
      if (keyset) {
        // SELECT _rn too, and continue after the last one: `… WHERE (<filter>) AND _rn > $n ORDER BY _rn`.
        text = text.replace(/^SELECT /, 'SELECT _rn AS "_rn", ');
        if (after !== null) {
          params.push(after);
          const cond = `_rn > $${params.length}`;
          text = filter
            ? text.replace(' WHERE ', ` WHERE ${cond} AND (`).replace(' ORDER BY ', ') ORDER BY ')
            : text.replace(' ORDER BY ', ` WHERE ${cond} ORDER BY `);
        }
      }
      const rows = await rawQuery<Row>(this.db, text, params);
      if (names === undefined) {
        names = q.names;
        cols = names.map((n) => this.items.find((i) => i.name === n)?.column as string);
      }
      const out = new Array<Row>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        out[i] = toItemRow(rows[i]!, names, cols);
      }
      if (rows.length > 0) {
        yield out;
      }
      if (rows.length < size) {
        return;
      }
      left -= rows.length;
      offset += rows.length;
      if (keyset) {
        after = Number(rows[rows.length - 1]!['_rn']);
      }
    }
  }

  async *scanJson(
    items: string[] | undefined,
    filter: Filter | undefined,
    order: Order[],
    page: Page,
  ): AsyncIterable<Row[]> {
    if (!this.table) {
      return;
    }
    const batch = 20_000;
    const want = Math.min(MAX_PAGE, page.limit);
    const keyset = order.length === 0;
    const names = items && items.length ? items : this.items.map((i) => i.name);
    // Order items ride along in the inner SELECT so the aggregate can sort by them.
    const inner = [...new Set([...names, ...order.map((o) => o.item)])];
    const col = (n: string) => quoteIdent('postgres', this.items.find((i) => i.name === n)?.column as string);
    const aggOrder = [...order.map((o) => `${col(o.item)} ${o.desc ? 'DESC' : 'ASC'}`), '_rn ASC'];
    const fetch = async (after: number | null, offset: number, size: number) => {
      const q = buildSelect(
        'postgres',
        `"${this.table}"`,
        this.items,
        inner,
        filter,
        order,
        { limit: size, offset: after === null ? offset : 0 },
        '_rn ASC',
      );
      const params = q.params;
      let text = q.sql.replace(/^SELECT /, 'SELECT _rn, ');
      if (after !== null) {
        params.push(after);
        const cond = `_rn > $${params.length}`;
        text = filter
          ? text.replace(' WHERE ', ` WHERE ${cond} AND (`).replace(' ORDER BY ', ') ORDER BY ')
          : text.replace(' ORDER BY ', ` WHERE ${cond} ORDER BY `);
      }
      const outer =
        `SELECT json_agg(json_build_array(${names.map(col).join(', ')}) ORDER BY ${aggOrder.join(', ')})::text AS j, ` +
        `count(*)::int AS n, max(_rn)::text AS last FROM (${text}) s`;
      // Repeated shapes (point lookups by key, the keyset batches of a stream) run as prepared statements;
      // texts with an OFFSET are not marked (one text per page).
      const [r] = await rawQuery<{ j: string | null; n: number; last: string | null }>(
        this.db,
        after === null && offset > 0 ? outer : prepared(outer),
        params,
      );
      return { j: r?.j ?? null, n: Number(r?.n ?? 0), last: r?.last ?? null };
    };
    let offset = page.offset ?? 0;
    let left = want;
    let size = Math.min(batch, left);
    let pending = fetch(null, offset, size);
    while (left > 0) {
      const r = await pending;
      left -= r.n;
      offset += r.n;
      const more = r.n === size && left > 0;
      if (more) {
        // Ask for the next batch before this one is handed on, so the database works meanwhile.
        size = Math.min(batch, left);
        pending = fetch(keyset ? Number(r.last) : null, offset, size);
        pending.catch(() => undefined); // a consumer that stops early leaves it unawaited
      }
      if (r.n > 0) {
        const arrays = JSON.parse(r.j as string) as unknown[][];
        const out = new Array<Row>(arrays.length);
        for (let i = 0; i < arrays.length; i++) {
          const a = arrays[i]!;
          const row: Row = {};
          for (let k = 0; k < names.length; k++) {
            row[names[k]!] = a[k];
          }
          out[i] = row;
        }
        yield out;
      }
      if (!more) {
        return;
      }
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
