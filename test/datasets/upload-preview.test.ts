import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../support/app.js';
import { fixture } from './helpers.js';

/**
 * POST /datasets/uploads/{id}/preview, the import wizard's look at an upload before committing: how
 * the file reads (encoding detected and in use, header, first rows), inferred items, the mapping to a
 * target resource, and the encoding / target it keeps for the commit.
 */
const gbk = readFileSync(fixture('enterprises-gbk.csv'));
const xlsx = readFileSync(fixture('population.xlsx'));
const expectedBad = JSON.parse(readFileSync(fixture('enterprises-gbk.bad-rows.json'), 'utf8')) as unknown[];

interface Preview {
  encoding: string | null;
  detectedEncoding: string | null;
  format: string;
  header: string[];
  firstDataRow: number | null;
  rows: Array<{ row: number; values: Array<string | null> }>;
  rowsScanned: number;
  complete: boolean;
  items: Array<{ name: string; dataType: string; level: string; piiKind: string | null }>;
  newResource: { name: string } | null;
  target: {
    resourceId: string;
    mapping: Array<{ item: string; column: string | null; required: boolean }>;
    unmappedColumns: string[];
  } | null;
}

describe('upload preview over HTTP', () => {
  let ctx: TestContext;
  let org: { id: string; code: string };
  let editor: Record<string, string>;
  let stranger: Record<string, string>;

  before(async () => {
    ctx = await createTestContext('embedded');
    org = await ctx.newOrg('department');
    const other = await ctx.newOrg('department');
    editor = await ctx.bearer((await ctx.newUser(org.id, ['catalog_editor'])).username);
    stranger = await ctx.bearer((await ctx.newUser(other.id, ['catalog_editor'])).username);
  });
  after(() => ctx.close());

  async function upload(fileName: string, bytes: Buffer, target: Record<string, unknown>, whole = true) {
    const created = await ctx.inject({
      method: 'POST',
      url: '/api/v1/datasets/uploads',
      headers: editor,
      payload: { fileName, size: bytes.length, ...target },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json<{ id: string }>().id;
    const part = whole ? bytes : bytes.subarray(0, 100);
    const put = await ctx.inject({
      method: 'PUT',
      url: `/api/v1/datasets/uploads/${id}`,
      headers: {
        ...editor,
        'content-type': 'application/octet-stream',
        'content-range': `bytes 0-${part.length - 1}/${bytes.length}`,
      },
      payload: part,
    });
    assert.equal(put.statusCode, 200, put.body);
    return id;
  }
  const preview = (id: string, body: Record<string, unknown> = {}, headers = editor) =>
    ctx.inject({ method: 'POST', url: `/api/v1/datasets/uploads/${id}/preview`, headers, payload: body });

  test('a GBK CSV: encoding detected, rows decoded, items inferred; an encoding override is kept for the commit', async () => {
    const id = await upload('enterprises-gbk.csv', gbk, {
      newResource: { name: '企业登记信息', provider: org.code },
    });
    const res = await preview(id);
    assert.equal(res.statusCode, 200, res.body);
    const p = res.json<Preview>();
    assert.equal(p.format, 'csv');
    assert.equal(p.detectedEncoding, 'gbk');
    assert.equal(p.encoding, 'gbk');
    assert.equal(p.header[0], '统一社会信用代码');
    assert.equal(p.firstDataRow, 2);
    assert.equal(p.rows.length, 20);
    assert.match(p.rows[0]?.values[1] ?? '', /有限公司|股份/);
    assert.equal(p.rowsScanned, 2000);
    assert.equal(p.complete, true);
    assert.equal(p.items.find((i) => i.name === '统一社会信用代码')?.piiKind, 'uscc');
    assert.equal(p.items.find((i) => i.name === '成立日期')?.dataType, 'D');
    assert.equal(p.newResource?.name, '企业登记信息');
    assert.equal(p.target, null);

    // Read as UTF-8 the header is mojibake; the choice sticks until changed.
    const wrong = (await preview(id, { encoding: 'utf-8', rows: 3 })).json<Preview>();
    assert.equal(wrong.encoding, 'utf-8');
    assert.equal(wrong.detectedEncoding, 'gbk');
    assert.ok(!wrong.header.includes('统一社会信用代码'));
    assert.equal(wrong.rows.length, 3);
    assert.equal((await preview(id)).json<Preview>().encoding, 'utf-8');
    assert.equal((await preview(id, { encoding: 'gbk' })).json<Preview>().header[0], '统一社会信用代码');

    // Another organization's staff may not look.
    assert.equal((await preview(id, {}, stranger)).statusCode, 403);

    const commit = await ctx.inject({
      method: 'POST',
      url: `/api/v1/datasets/uploads/${id}/commit`,
      headers: editor,
      payload: { onError: 'quarantine' },
    });
    assert.equal(commit.statusCode, 200, commit.body);
    const report = commit.json<{ resourceId: string; encoding: string; rowsRejected: number }>();
    assert.equal(report.encoding, 'gbk');
    assert.equal(report.rowsRejected, expectedBad.length);

    // A second upload, first meant for a new resource, pointed at that resource: mapping, then commit into it.
    const again = await upload('enterprises-gbk.csv', gbk, {
      newResource: { name: '不应创建', provider: org.code },
    });
    const mapped = (await preview(again, { resource: report.resourceId })).json<Preview>();
    assert.equal(mapped.newResource, null);
    assert.equal(mapped.target?.resourceId, report.resourceId);
    assert.ok(mapped.target?.mapping.every((m) => m.column === m.item));
    assert.deepEqual(mapped.target?.unmappedColumns, []);
    const second = await ctx.inject({
      method: 'POST',
      url: `/api/v1/datasets/uploads/${again}/commit`,
      headers: editor,
      payload: { onError: 'quarantine' },
    });
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(second.json<{ resourceId: string }>().resourceId, report.resourceId);
  });

  test('an XLSX with title rows: the header below them; an incomplete upload cannot be previewed', async () => {
    const id = await upload('population.xlsx', xlsx, { newResource: { name: '人口', provider: org.code } });
    const p = (await preview(id)).json<Preview>();
    assert.equal(p.format, 'xlsx');
    assert.equal(p.encoding, null);
    assert.ok(p.header.includes('公民身份号码'));
    assert.ok((p.firstDataRow ?? 0) > 2, `first data row ${p.firstDataRow}`);
    assert.equal(p.items.find((i) => i.name === '公民身份号码')?.piiKind, 'resident_id');
    assert.equal(p.items.find((i) => i.name === '姓名')?.piiKind, 'name');

    const partial = await upload(
      'population.xlsx',
      xlsx,
      { newResource: { name: '人口', provider: org.code } },
      false,
    );
    const r = await preview(partial);
    assert.equal(r.statusCode, 409, r.body);
    assert.equal(r.json<{ error: { code: string } }>().error.code, 'UPLOAD_INCOMPLETE');
  });
});
