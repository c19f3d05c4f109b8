import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { ResourceCreateInput } from '../../src/contracts/catalog.js';
import { type Actor, SYSTEM } from '../../src/identity/actor.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';

let n = 0;
const input = (over: Partial<ResourceCreateInput> = {}): ResourceCreateInput => ({
  name: `人口户籍信息${n++}`,
  classification: { category: '1', item: '01', catalog: '001' },
  abstract: '本市常住人口的户籍登记信息',
  format: { category: 'database', type: 'dm' },
  items: [
    { name: '姓名', dataType: 'C', length: 50, level: 'important', piiKind: 'name', masking: 'partial' },
    {
      name: '公民身份号码',
      dataType: 'C',
      length: 18,
      piiKind: 'id_number',
      shareType: 'none',
      notSharedReason: '个人信息保护法第十三条',
    },
    { name: '户籍地址', dataType: 'C', length: 200 },
  ],
  shareType: 'conditional',
  shareCondition: '国发〔2016〕51号',
  openType: 'none',
  updateCycle: 'daily',
  ...over,
});

async function rejectsWith(p: Promise<unknown>, code: string, check?: (e: AppError) => void) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, code, JSON.stringify(e.details));
    check?.(e);
    return true;
  });
}

for (const kind of storageKinds()) {
  describe(`catalog service on ${kind}`, () => {
    let ctx: TestContext;
    let dept: { id: string; code: string };
    let bureau: { id: string };
    const actors: Record<string, Actor> = {};

    before(async () => {
      ctx = await createTestContext(kind);
      dept = await ctx.newOrg('department');
      bureau = await ctx.newOrg('data_bureau');
      const mk = async (orgId: string, roles: string[]) => {
        const u = await ctx.newUser(orgId, roles);
        return {
          kind: 'user' as const,
          id: u.id,
          orgId,
          roles: roles as never,
          username: u.username,
          via: 'bearer' as const,
        };
      };
      actors.editor = await mk(dept.id, ['catalog_editor']);
      actors.deptApprover = await mk(dept.id, ['approver']);
      actors.reviewer = await mk(bureau.id, ['approver']);
      actors.other = await mk((await ctx.newOrg('department')).id, ['catalog_editor']);
    });
    after(() => ctx.close());

    test('creates a draft with a GB/T 21063 code; bad input gives an error per field', async () => {
      const r = await ctx.services.catalog.createResource(actors.editor!, input());
      assert.equal(r.status, 'draft');
      assert.match(r.code, /^101001\/\d{6}$/);
      assert.equal(r.providerOrgId, dept.id);
      assert.equal(r.items[1]?.shareType, 'none');
      assert.equal((await ctx.services.catalog.getResource(actors.editor!, r.code)).id, r.id);

      await rejectsWith(
        ctx.services.catalog.createResource(
          actors.editor!,
          input({
            shareType: 'sometimes',
            updateCycle: 'hourly',
            classification: { category: '1', item: '99', catalog: '1' },
            format: { category: 'database', type: 'excel' },
            items: [
              { name: '姓名', dataType: 'X' },
              { name: '姓名', dataType: 'C' },
            ],
          }),
        ),
        'RESOURCE_INVALID',
        (e) => {
          const fields = (e.details as Array<{ field: string }>).map((d) => d.field).sort();
          assert.deepEqual(fields, [
            'classification.catalog',
            'classification.item',
            'format.type',
            'items[0].dataType',
            'items[1].name',
            'shareType',
            'updateCycle',
          ]);
        },
      );
      await rejectsWith(
        ctx.services.catalog.createResource(actors.editor!, input({ name: r.name })),
        'RESOURCE_INVALID',
      );
      await rejectsWith(
        ctx.services.catalog.createResource(
          actors.editor!,
          input({ shareType: 'none', shareCondition: null }),
        ),
        'RESOURCE_INVALID',
        (e) => assert.ok((e.details as Array<{ field: string }>).some((d) => d.field === 'shareCondition')),
      );
      await rejectsWith(
        ctx.services.catalog.createResource(actors.editor!, input({ items: [] })),
        'RESOURCE_INVALID',
      );
      // another department's editor cannot catalog for this one; drafts are hidden from others
      await rejectsWith(
        ctx.services.catalog.createResource(actors.other!, input({ providerOrgId: dept.id })),
        'FORBIDDEN',
      );
      await rejectsWith(ctx.services.catalog.getResource(actors.other!, r.id), 'RESOURCE_NOT_FOUND');
      await rejectsWith(ctx.services.catalog.getResource({ kind: 'anonymous' }, r.id), 'RESOURCE_NOT_FOUND');
    });

    test('lifecycle: review by the bureau only, versions with diffs, deprecation refuses requests', async () => {
      const c = ctx.services.catalog;
      const r = await c.createResource(actors.editor!, input());
      await rejectsWith(c.publish(actors.reviewer!, r.id), 'RESOURCE_STATE'); // no publishing without review
      await rejectsWith(c.approve(actors.reviewer!, r.id), 'RESOURCE_STATE');
      await c.submit(actors.editor!, r.id);
      await rejectsWith(c.approve(actors.deptApprover!, r.id), 'CATALOG_BUREAU_ONLY');
      await rejectsWith(c.approve(actors.editor!, r.id), 'CATALOG_BUREAU_ONLY');
      await rejectsWith(c.reject(actors.reviewer!, r.id, ''), 'CATALOG_COMMENT_REQUIRED');
      assert.equal((await c.reject(actors.reviewer!, r.id, '摘要过于简略')).status, 'draft');
      await c.updateResource(actors.editor!, r.id, { abstract: '本市常住人口的户籍登记信息，含迁入迁出' });
      await c.submit(actors.editor!, r.id);
      await c.approve(actors.reviewer!, r.id, '同意');
      const v1 = await c.publish(actors.reviewer!, r.id);
      assert.equal(v1.status, 'published');
      assert.equal(v1.version, 1);
      assert.ok(v1.publishDate);

      // public read of published metadata
      assert.equal((await c.getResource({ kind: 'anonymous' }, r.code)).version, 1);

      // a revision: the public still sees version 1 until version 2 is published
      await c.updateResource(actors.editor!, r.id, {
        items: [
          ...v1.items.filter((i) => i.name !== '户籍地址'),
          { name: '联系电话', dataType: 'C', length: 20, piiKind: 'mobile' },
        ],
      });
      const pub = await c.getResource({ kind: 'anonymous' }, r.id);
      assert.equal(pub.status, 'published');
      assert.ok(pub.items.some((i) => i.name === '户籍地址'));
      await c.submit(actors.editor!, r.id);
      await c.approve(actors.reviewer!, r.id);
      const v2 = await c.publish(actors.reviewer!, r.id);
      assert.equal(v2.version, 2);
      const h = await c.history({ kind: 'anonymous' }, r.id);
      assert.equal(h.versions.length, 2);
      const fields = h.versions[1]!.changes.map((x) => x.field).sort();
      assert.deepEqual(fields, ['items.户籍地址', 'items.联系电话']);
      const own = await c.history(actors.editor!, r.id);
      assert.ok(own.reviews.some((x) => x.action === 'rejected' && x.comment === '摘要过于简略'));
      assert.equal((await c.getVersion({ kind: 'anonymous' }, r.id, 1)).resource.items.length, 3);

      const succ = await c.createResource(actors.editor!, input());
      await c.deprecate(actors.editor!, r.id, { reason: '并入新资源', successor: succ.code });
      await rejectsWith(c.assertRequestable(actors.other!, r.id), 'RESOURCE_DEPRECATED');
      const dep = await c.getResource({ kind: 'anonymous' }, r.id);
      assert.equal(dep.status, 'deprecated');
      assert.equal(dep.deprecation?.successorCode, succ.code);

      const events = await ctx.services.ledger.list(SYSTEM, { subjectId: r.id } as never);
      const types = events.map((e) => e.type);
      for (const t of ['created', 'submitted', 'rejected', 'approved', 'published', 'deprecated']) {
        assert.ok(types.includes(`catalog.resource.${t}`), t);
      }
    });

    test('Chinese search finds words inside runs, with facets, prefix and typo fallback', async () => {
      const c = ctx.services.catalog;
      const publish = async (i: ResourceCreateInput) => {
        const r = await c.createResource(actors.editor!, i);
        await c.submit(actors.editor!, r.id);
        await c.approve(actors.reviewer!, r.id);
        return c.publish(actors.reviewer!, r.id);
      };
      const tag = `Zq${Date.now().toString(36)}`;
      await publish(
        input({
          name: `流动人口户籍登记${tag}`,
          shareType: 'unconditional',
          shareCondition: null,
          openType: 'unconditional',
        }),
      );
      await publish(
        input({
          name: `企业登记信息${tag}`,
          classification: { category: '1', item: '02', catalog: '001' },
          format: { category: 'spreadsheet', type: 'xlsx' },
        }),
      );
      await c.createResource(actors.editor!, input({ name: `户籍草稿${tag}` })); // draft: not public

      // 户籍 alone also matches the other resource's item 户籍地址; 人口户籍 is inside 流动人口户籍登记
      const s = await c.search({ kind: 'anonymous' }, { q: `人口户籍 ${tag}` });
      assert.equal(s.total, 1);
      assert.equal(s.totalExact, true);
      assert.equal(s.match, 'all');
      assert.ok(s.items[0]!.name.startsWith('流动人口户籍登记'));
      const byPrefix = await c.search({ kind: 'anonymous' }, { q: tag.slice(0, 6).toLowerCase() });
      assert.ok(byPrefix.total >= 2);
      const facets = await c.search({ kind: 'anonymous' }, { q: tag });
      assert.equal(facets.total, 2);
      assert.deepEqual(facets.facets.format?.map((f) => [f.value, f.count]).sort(), [
        ['database', 1],
        ['spreadsheet', 1],
      ]);
      assert.equal(facets.facets.provider?.[0]?.count, 2);
      const filtered = await c.search({ kind: 'anonymous' }, { q: tag, format: 'spreadsheet' });
      assert.equal(filtered.total, 1);
      // a filter alone (no query text) and one that nothing matches
      const byFormat = await c.search({ kind: 'anonymous' }, { format: 'spreadsheet', sort: 'name' });
      assert.ok(byFormat.items.length > 0 && byFormat.items.every((i) => i.formatCategory === 'spreadsheet'));
      assert.equal((await c.search({ kind: 'anonymous' }, { q: tag, level: 'nonexistent' })).total, 0);
      // a wrong character: no exact match, the fallback still finds the resource
      const typo = await c.search({ kind: 'anonymous' }, { q: `流动人囗户籍登记${tag}` });
      assert.equal(typo.match, 'partial');
      assert.ok(typo.items.some((i) => i.name.startsWith('流动人口户籍登记')));
      // items are searched too
      assert.ok((await c.search({ kind: 'anonymous' }, { q: `身份号码 ${tag}` })).total >= 2);
      const drafts = await c.search(actors.editor!, { q: tag, status: 'draft' });
      assert.equal(drafts.total, 1);
      await c.flushCounters();
      const hit = await c.getResource(actors.editor!, s.items[0]!.id);
      assert.ok(hit.counts.search >= 1);
      // Search results are cached, but a write is seen by the very next search: published, then deprecated.
      const third = await publish(input({ name: `户籍年报信息${tag}` }));
      assert.equal((await c.search({ kind: 'anonymous' }, { q: tag })).total, 3);
      await c.deprecate(actors.editor!, third.id, { reason: '合并' });
      const after = await c.search({ kind: 'anonymous' }, { q: tag });
      assert.equal(after.total, 2);
      assert.ok(!after.items.some((i) => i.id === third.id));
      // A resource without an index row (catalogued before the index table existed) is indexed when the
      // store is opened, and found again.
      const lost = s.items[0]!.id;
      await sql`delete from catalog_search where resource_id = ${lost}`.execute(ctx.services.database.db);
      assert.ok(
        !(await c.search({ kind: 'anonymous' }, { q: `人口户籍 ${tag}` })).items.some((i) => i.id === lost),
      );
      assert.ok((await c.indexMissing()) >= 1);
      assert.equal((await c.search({ kind: 'anonymous' }, { q: `人口户籍 ${tag}` })).items[0]?.id, lost);
      assert.equal(await c.indexMissing(), 0);
    });

    test('three lists, DCAT-AP and the Excel sheet round trip', async () => {
      const c = ctx.services.catalog;
      const name = `婚姻登记信息${n++}`;
      await c.createDuty(actors.reviewer!, { orgId: dept.id, name });
      await c.createDuty(actors.reviewer!, { orgId: dept.id, name: `未编目资源${n++}` });
      await rejectsWith(c.createDuty(actors.editor!, { orgId: dept.id, name: 'x' }), 'CATALOG_BUREAU_ONLY');
      const r = await c.createResource(actors.editor!, input({ name, openType: 'unconditional' }));
      const cov = (await c.coverage(actors.editor!)).find((x) => x.orgId === dept.id)!;
      assert.equal(cov.duties, 2);
      assert.equal(cov.covered, 1);
      assert.equal(cov.missing.length, 1);

      const d = await c.createDemand(
        { kind: 'anonymous' },
        { title: '需要户籍数据', description: '办事', contact: '13800000000', targetOrgId: dept.id },
      );
      const seen = async (a: Actor) => (await c.listDemands(a)).find((x) => x.id === d.id)?.contact ?? null;
      assert.equal(await seen({ kind: 'anonymous' }), null); // the public list hides the poster's contact
      assert.equal(await seen(actors.other!), null);
      assert.equal(await seen(actors.editor!), '13800000000');
      assert.equal(await seen(actors.reviewer!), '13800000000');
      await rejectsWith(c.answerDemand(actors.other!, d.id, { answer: 'x' }), 'FORBIDDEN');
      const ans = await c.answerDemand(actors.editor!, d.id, { answer: '已编目', resource: r.code });
      assert.equal(ans.status, 'fulfilled');

      await c.submit(actors.editor!, r.id);
      await c.approve(actors.reviewer!, r.id);
      await c.publish(actors.reviewer!, r.id);
      const neg = await c.negativeList({ kind: 'anonymous' });
      assert.ok(
        neg.some(
          (e) => e.resourceId === r.id && e.item === '公民身份号码' && e.basis.includes('个人信息保护法'),
        ),
      );

      const ld = await c.dcatResource({ kind: 'anonymous' }, r.code);
      assert.equal(ld['@type'], 'dcat:Dataset');
      assert.equal(ld['dct:identifier'], r.code);
      const cat = await c.dcatCatalog({ kind: 'anonymous' });
      assert.ok(
        (cat['dcat:dataset'] as Array<{ 'dct:identifier': string }>).some(
          (x) => x['dct:identifier'] === r.code,
        ),
      );

      // export, then import the same sheet into a fresh department (names are per provider)
      const sheet = await c.exportSheet(actors.editor!);
      const { readSheet } = await import('../../src/catalog/sheet.js');
      const parsed = await readSheet(sheet);
      assert.ok(parsed.resources.length >= 3);
      const target = await ctx.newOrg('department');
      const ExcelJS = (await import('exceljs')).default;
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(sheet as unknown as ArrayBuffer);
      wb.worksheets[0]!.eachRow((row, i) => {
        if (i > 1) {
          row.getCell(7).value = target.code;
          row.getCell(2).value = '';
        }
      });
      const good = Buffer.from(await wb.xlsx.writeBuffer());
      const res = await c.importSheet(SYSTEM, good);
      assert.equal(res.created, parsed.resources.length);
      // a bad cell is reported by row and column, and nothing is created
      const second = await ctx.newOrg('department');
      wb.worksheets[0]!.eachRow((row, i) => {
        if (i > 1) {
          row.getCell(7).value = second.code;
        }
      });
      wb.worksheets[0]!.getRow(3).getCell(21).value = '文本';
      const bad = Buffer.from(await wb.xlsx.writeBuffer());
      await rejectsWith(c.importSheet(SYSTEM, bad), 'RESOURCE_INVALID', (e) => {
        const d = (e.details as Array<{ row: number; column: string; field: string }>).find(
          (x) => x.row === 3,
        );
        assert.ok(d, JSON.stringify(e.details));
        assert.match(d.column, /^U /);
      });
      const none = await c.search(SYSTEM, { status: 'draft', provider: second.id });
      assert.equal(none.total, 0);
    });
  });
}
