import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { usccCheckChar } from '../../src/datasets/identifiers.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';
import { fixture } from './helpers.js';

const expectedBad = JSON.parse(readFileSync(fixture('enterprises-gbk.bad-rows.json'), 'utf8')) as Array<{
  row: number;
  column: string;
}>;
const file = readFileSync(fixture('enterprises-gbk.csv'));

for (const kind of storageKinds()) {
  describe(`datasets over HTTP on ${kind}`, () => {
    let ctx: TestContext;
    let org: { id: string; code: string };
    let editor: Record<string, string>;
    let stranger: Record<string, string>;
    let consumer: Record<string, string>;
    let datasetId = '';
    let resourceId = '';

    before(async () => {
      ctx = await createTestContext(kind);
      org = await ctx.newOrg('department');
      const other = await ctx.newOrg('department');
      editor = await ctx.bearer((await ctx.newUser(org.id, ['catalog_editor'])).username);
      stranger = await ctx.bearer((await ctx.newUser(other.id, ['catalog_editor'])).username);
      consumer = await ctx.bearer((await ctx.newUser(org.id, ['consumer'])).username);
    });
    after(async () => ctx.close());

    const put = (id: string, start: number, chunk: Buffer, headers = editor) =>
      ctx.inject({
        method: 'PUT',
        url: `/api/v1/datasets/uploads/${id}`,
        headers: {
          ...headers,
          'content-type': 'application/octet-stream',
          'content-range': `bytes ${start}-${start + chunk.length - 1}/${file.length}`,
        },
        payload: chunk,
      });

    test('the GBK register uploaded in chunks, interrupted and resumed, reports exactly the bad rows', async () => {
      const created = await ctx.inject({
        method: 'POST',
        url: '/api/v1/datasets/uploads',
        headers: editor,
        payload: {
          fileName: 'enterprises-gbk.csv',
          size: file.length,
          newResource: { name: '企业登记信息', provider: org.code },
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const up = created.json<{ id: string; received: number }>();
      assert.equal(up.received, 0);
      // Another organization's staff cannot write into it.
      assert.equal((await put(up.id, 0, file.subarray(0, 10), stranger)).statusCode, 403);

      const size = 64 * 1024;
      let r = await put(up.id, 0, file.subarray(0, size));
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json<{ received: number }>().received, size);
      // The connection drops during the second chunk: the client lost track and tries to skip ahead.
      const skipped = await put(up.id, 2 * size, file.subarray(2 * size, 3 * size));
      assert.equal(skipped.statusCode, 409, skipped.body);
      assert.equal(skipped.json<{ error: { details: { received: number } } }>().error.details.received, size);
      // Committing now is refused: the file is incomplete.
      const early = await ctx.inject({
        method: 'POST',
        url: `/api/v1/datasets/uploads/${up.id}/commit`,
        headers: editor,
        payload: {},
      });
      assert.equal(early.statusCode, 409, early.body);
      // Resume: ask where to start, send the rest.
      const status = await ctx.inject({
        method: 'GET',
        url: `/api/v1/datasets/uploads/${up.id}`,
        headers: editor,
      });
      let offset = status.json<{ received: number }>().received;
      assert.equal(offset, size);
      while (offset < file.length) {
        r = await put(up.id, offset, file.subarray(offset, offset + size));
        assert.equal(r.statusCode, 200, r.body);
        offset = r.json<{ received: number }>().received;
      }
      assert.equal(r.json<{ complete: boolean }>().complete, true);
      // A chunk past the declared size is refused.
      assert.equal((await put(up.id, file.length, Buffer.from('x'))).statusCode, 400);

      const commit = await ctx.inject({
        method: 'POST',
        url: `/api/v1/datasets/uploads/${up.id}/commit`,
        headers: { ...editor, 'accept-language': 'zh-CN' },
        payload: { onError: 'quarantine' },
      });
      assert.equal(commit.statusCode, 200, commit.body);
      const report = commit.json<{
        datasetId: string;
        resourceId: string;
        rowsRead: number;
        rowsLoaded: number;
        rowsRejected: number;
        errors: Array<{ row: number; column: string; message: string }>;
      }>();
      assert.equal(report.rowsRead, 2000);
      assert.equal(report.rowsRejected, expectedBad.length);
      assert.equal(report.rowsLoaded, 2000 - expectedBad.length);
      assert.deepEqual(
        report.errors.map((e) => ({ row: e.row, column: e.column })),
        expectedBad.map((e) => ({ row: e.row, column: e.column })),
      );
      assert.equal(report.errors[0]?.message, '统一社会信用代码校验码错误');
      datasetId = report.datasetId;
      resourceId = report.resourceId;
      // The session is gone once committed.
      const gone = await ctx.inject({
        method: 'GET',
        url: `/api/v1/datasets/uploads/${up.id}`,
        headers: editor,
      });
      assert.equal(gone.statusCode, 404);
    });

    test('datasets of a resource, versions, loads and quarantine: provider staff only', async () => {
      const list = await ctx.inject({
        method: 'GET',
        url: `/api/v1/datasets?resource=${resourceId}`,
        headers: editor,
      });
      assert.equal(list.statusCode, 200, list.body);
      assert.deepEqual(
        list.json<Array<{ id: string }>>().map((d) => d.id),
        [datasetId],
      );
      const one = await ctx.inject({ method: 'GET', url: `/api/v1/datasets/${datasetId}`, headers: editor });
      assert.equal(one.json<{ kind: string; currentVersion: number }>().currentVersion, 1);
      const versions = await ctx.inject({
        method: 'GET',
        url: `/api/v1/datasets/${datasetId}/versions`,
        headers: editor,
      });
      assert.deepEqual(
        versions.json<Array<{ version: number; rowCount: number }>>().map((v) => [v.version, v.rowCount]),
        [[1, 2000 - expectedBad.length]],
      );
      const loads = await ctx.inject({
        method: 'GET',
        url: `/api/v1/datasets/${datasetId}/loads`,
        headers: editor,
      });
      const l = loads.json<Array<{ status: string; rowsRejected: number; source: string }>>();
      assert.equal(l.length, 1);
      assert.equal(l[0]?.status, 'loaded');
      assert.equal(l[0]?.rowsRejected, expectedBad.length);
      const q = await ctx.inject({
        method: 'GET',
        url: `/api/v1/datasets/${datasetId}/quarantine`,
        headers: editor,
      });
      assert.deepEqual(
        q.json<Array<{ row: number }>>().map((x) => x.row),
        expectedBad.map((e) => e.row),
      );
      for (const headers of [stranger, consumer]) {
        for (const url of [
          `/api/v1/datasets?resource=${resourceId}`,
          `/api/v1/datasets/${datasetId}`,
          `/api/v1/datasets/${datasetId}/versions`,
          `/api/v1/datasets/${datasetId}/loads`,
          `/api/v1/datasets/${datasetId}/quarantine`,
          `/api/v1/datasets/${datasetId}/form`,
        ]) {
          const res = await ctx.inject({ method: 'GET', url, headers });
          // A draft resource is not even visible outside its organization (404 for another
          // organization's editor); everyone else without dataset.manage there gets 403.
          const expected = url.includes('?resource=') && headers === stranger ? 404 : 403;
          assert.equal(res.statusCode, expected, `${url}: ${res.body}`);
        }
      }
    });

    test('fill-in: the form follows the items; rows are validated like an import', async () => {
      const form = await ctx.inject({
        method: 'GET',
        url: `/api/v1/datasets/${datasetId}/form`,
        headers: editor,
      });
      assert.equal(form.statusCode, 200, form.body);
      const fields = form.json<{
        fields: Array<{
          name: string;
          required: boolean;
          format: string | null;
          label: { zh: string; en: string };
        }>;
      }>().fields;
      const f = (n: string) => fields.find((x) => x.name === n);
      assert.equal(f('统一社会信用代码')?.format, 'uscc');
      assert.equal(f('成立日期')?.format, 'date');
      assert.equal(f('企业名称')?.required, true);
      assert.equal(f('联系电话')?.format, 'mobile');
      assert.match(f('统一社会信用代码')?.label.en ?? '', /unified social credit code/);

      const good = {
        企业名称: '成都填报测试有限公司',
        统一社会信用代码: `91510100MA61R2XK7${usccCheckChar('91510100MA61R2XK7')}`,
        法定代表人: '王小明',
        '注册资本（万元）': '100',
        成立日期: '2020-05-01',
        登记机关: '青羊区市场监督管理局',
        住所: '青羊区人民中路1号',
        联系电话: '13800138000',
        经营状态: '存续',
      };
      const bad = { ...good, 成立日期: '2021-02-30', 不存在的列: 'x' };
      const refused = await ctx.inject({
        method: 'POST',
        url: `/api/v1/datasets/${datasetId}/rows`,
        headers: editor,
        payload: { rows: [good, bad] },
      });
      assert.equal(refused.statusCode, 400, refused.body);
      const details = refused.json<{ error: { details: Array<{ row: number; column: string }> } }>().error
        .details;
      assert.deepEqual(details.map((d) => `${d.row}:${d.column}`).sort(), ['2:不存在的列', '2:成立日期']);
      const before = (
        await ctx.inject({ method: 'GET', url: `/api/v1/datasets/${datasetId}/versions`, headers: editor })
      ).json<Array<{ rowCount: number }>>()[0]?.rowCount;
      const ok = await ctx.inject({
        method: 'POST',
        url: `/api/v1/datasets/${datasetId}/rows`,
        headers: editor,
        payload: { rows: [good] },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json<{ rowsLoaded: number }>().rowsLoaded, 1);
      assert.equal(await ctx.services.datasets.count(SYSTEM, datasetId, undefined), (before ?? 0) + 1);
      const denied = await ctx.inject({
        method: 'POST',
        url: `/api/v1/datasets/${datasetId}/rows`,
        headers: stranger,
        payload: { rows: [good] },
      });
      assert.equal(denied.statusCode, 403);
    });

    test('quarantined rows corrected and re-submitted: loaded and resolved together, all or nothing', async () => {
      const url = `/api/v1/datasets/${datasetId}/quarantine`;
      const aside = (await ctx.inject({ method: 'GET', url, headers: editor })).json<
        Array<{ id: number; row: number; errors: Array<{ column: string }> }>
      >();
      const fix = (column: string): string =>
        column === '统一社会信用代码'
          ? `91510100MA61R2XK8${usccCheckChar('91510100MA61R2XK8')}`
          : column === '企业名称'
            ? '更正后的企业有限公司'
            : column === '成立日期'
              ? '2020-01-01'
              : '100';
      const first = aside.slice(0, 4);
      const corrections = first.map((q) => ({
        id: Number(q.id),
        values: Object.fromEntries(q.errors.map((e) => [e.column, fix(e.column)])),
      }));
      const countBefore = await ctx.services.datasets.count(SYSTEM, datasetId, undefined);
      // One correction still wrong: nothing is loaded, nothing resolved.
      const wrong = await ctx.inject({
        method: 'POST',
        url: `${url}/resubmit`,
        headers: editor,
        payload: { rows: [...corrections.slice(0, 3), { id: corrections[3]?.id, values: {} }] },
      });
      assert.equal(wrong.statusCode, 400, wrong.body);
      assert.equal(await ctx.services.datasets.count(SYSTEM, datasetId, undefined), countBefore);
      const ok = await ctx.inject({
        method: 'POST',
        url: `${url}/resubmit`,
        headers: editor,
        payload: { rows: corrections },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json(), { rowsLoaded: 4, resolved: 4 });
      assert.equal(await ctx.services.datasets.count(SYSTEM, datasetId, undefined), countBefore + 4);
      const left = (await ctx.inject({ method: 'GET', url, headers: editor })).json<Array<{ id: number }>>();
      assert.deepEqual(
        left.map((q) => q.id),
        aside.slice(4).map((q) => q.id),
      );
      // A resolved row cannot be re-submitted twice; another organization cannot re-submit at all.
      const again = await ctx.inject({
        method: 'POST',
        url: `${url}/resubmit`,
        headers: editor,
        payload: { rows: corrections.slice(0, 1) },
      });
      assert.equal(again.statusCode, 404, again.body);
      const denied = await ctx.inject({
        method: 'POST',
        url: `${url}/resubmit`,
        headers: stranger,
        payload: { rows: [] },
      });
      assert.equal(denied.statusCode, 403);
    });
  });
}
