import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import mysql from 'mysql2/promise';
import {
  compileFilter,
  evaluate,
  type Filter,
  filterToJson,
  parseFilterJson,
  parseFilterParams,
} from '../../src/datasets/filter.js';
import { AppError } from '../../src/platform/errors.js';

const columns = new Map([
  ['数量', 'a'],
  ['名称', 'b'],
]);
const texts = fc.constantFrom('', 'a', 'ab', 'a%', 'a_b', 'b!', "o'k", 'x"y', '张三', '张', '\\n');
const ints = fc.integer({ min: -3, max: 3 });

const leaf: fc.Arbitrary<Filter> = fc.oneof(
  fc.record({
    op: fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte'),
    item: fc.constant('数量'),
    value: ints,
  }),
  fc.record({ op: fc.constantFrom('eq', 'ne', 'lt', 'gte'), item: fc.constant('名称'), value: texts }),
  fc.record({
    op: fc.constant('in'),
    item: fc.constant('数量'),
    values: fc.array(ints, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ op: fc.constant('prefix'), item: fc.constant('名称'), value: texts }),
  fc.record({ op: fc.constant('isNull'), item: fc.constantFrom('数量', '名称') }),
) as fc.Arbitrary<Filter>;
const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      op: fc.constantFrom('and', 'or'),
      args: fc.array(tie('f'), { minLength: 1, maxLength: 3 }),
    }) as fc.Arbitrary<Filter>,
    fc.record({ op: fc.constant('not'), arg: tie('f') }) as fc.Arbitrary<Filter>,
  ),
})).f;

const rowArb = fc.record({ a: fc.option(ints, { nil: null }), b: fc.option(texts, { nil: null }) });

describe('filter AST', () => {
  let pg: PGlite;
  before(async () => {
    pg = await PGlite.create();
  });
  after(() => pg.close());

  test('JSON form round-trips', () => {
    fc.assert(
      fc.property(filterArb, (f) => {
        assert.deepEqual(parseFilterJson(filterToJson(f)), JSON.parse(JSON.stringify(f)));
      }),
    );
  });

  test('compiled SQL selects exactly the rows the reference semantics select (PostgreSQL)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 12 }), filterArb, async (rows, f) => {
        await pg.exec('drop table if exists t; create table t (id int, a int, b text collate "C")');
        for (const [i, r] of rows.entries()) {
          await pg.query('insert into t values ($1, $2, $3)', [i, r.a, r.b]);
        }
        const c = compileFilter(f, 'postgres', columns);
        const got = (
          await pg.query<{ id: number }>(`select id from t where ${c.sql} order by id`, c.params)
        ).rows.map((r) => r.id);
        const want = rows.flatMap((r, i) => (evaluate(f, { 数量: r.a, 名称: r.b }) === true ? [i] : []));
        assert.deepEqual(got, want);
      }),
      { numRuns: 150 },
    );
  });

  test('query-string syntax: f.<item>=op:value and filter=JSON, AND-ed', () => {
    const f = parseFilterParams({
      'f.数量': 'gte:2',
      'f.名称': 'prefix:张',
      filter: '{"or":[{"isNull":"数量"},{"in":["数量",[1,2]]}]}',
      limit: '10',
    });
    assert.deepEqual(f, {
      op: 'and',
      args: [
        { op: 'gte', item: '数量', value: '2' },
        { op: 'prefix', item: '名称', value: '张' },
        {
          op: 'or',
          args: [
            { op: 'isNull', item: '数量' },
            { op: 'in', item: '数量', values: [1, 2] },
          ],
        },
      ],
    });
    assert.deepEqual(parseFilterParams({ 'f.名称': 'plain' }), { op: 'eq', item: '名称', value: 'plain' });
    assert.deepEqual(parseFilterParams({ 'f.名称': 'isNull:false' }), {
      op: 'not',
      arg: { op: 'isNull', item: '名称' },
    });
    assert.equal(parseFilterParams({ limit: '1' }), undefined);
    for (const bad of [
      '{',
      '[]',
      '{"eq":["a"]}',
      '{"drop":["a",1]}',
      '{"eq":["a",1],"ne":["a",2]}',
      '{"in":["a",[]]}',
    ]) {
      assert.throws(
        () => parseFilterParams({ filter: bad }),
        (e: unknown) => e instanceof AppError && e.code === 'FILTER_INVALID',
      );
    }
  });

  const INJECTIONS = [
    "'; drop table t; --",
    "' or '1'='1",
    '" or 1=1 --',
    "\\'; drop table t; --",
    '1; select pg_sleep(1)',
    "%' or b like '%",
    '`; drop table t; --',
    "\u0000'",
    "張' union select null, null, null --",
  ];

  test('SQL-injection corpus: values are parameters, unknown items are refused (PostgreSQL)', async () => {
    await pg.exec(
      "drop table if exists t; create table t (id int, a int, b text); insert into t values (1, 1, 'x')",
    );
    for (const v of INJECTIONS) {
      for (const f of [
        { op: 'eq', item: '名称', value: v },
        { op: 'prefix', item: '名称', value: v },
        { op: 'in', item: '名称', values: [v, 'x'] },
      ] as Filter[]) {
        const c = compileFilter(f, 'postgres', columns);
        assert.ok(!c.sql.includes(v), `value text leaked into SQL: ${c.sql}`);
        const r = await pg.query<{ id: number }>(
          `select id from t where ${c.sql}`,
          c.params.map((p) => String(p).replaceAll('\u0000', '')),
        );
        assert.equal(r.rows.length, f.op === 'in' ? 1 : 0);
      }
      assert.throws(
        () => compileFilter({ op: 'eq', item: v, value: 1 }, 'postgres', columns),
        (e: unknown) => e instanceof AppError && e.code === 'ITEM_UNKNOWN',
      );
    }
    assert.equal((await pg.query('select count(*)::int as n from t')).rows.length, 1);
  });

  test('SQL-injection corpus on MariaDB (mysql dialect)', async () => {
    const conn = await mysql.createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      database: 'test',
    });
    try {
      const t = `govhub_inj_${process.pid}`;
      await conn.query(`create table ${t} (id int, a int, b varchar(100))`);
      await conn.query(`insert into ${t} values (1, 1, 'x'), (2, 2, 'a%b')`);
      for (const v of INJECTIONS) {
        const c = compileFilter(
          {
            op: 'or',
            args: [
              { op: 'eq', item: '名称', value: v },
              { op: 'prefix', item: '名称', value: v },
            ],
          },
          'mysql',
          columns,
        );
        const [rows] = await conn.query(`select id from ${t} where ${c.sql}`, c.params);
        assert.equal((rows as unknown[]).length, 0, v);
      }
      const c = compileFilter({ op: 'prefix', item: '名称', value: 'a%' }, 'mysql', columns);
      const [rows] = await conn.query(`select id from ${t} where ${c.sql}`, c.params);
      assert.deepEqual(
        (rows as Array<{ id: number }>).map((r) => r.id),
        [2],
      );
      await conn.query(`drop table ${t}`);
    } finally {
      await conn.end();
    }
  });
});
