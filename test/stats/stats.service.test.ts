import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/identity/actor.js';
import type { StatsOverviewDto } from '../../src/stats/stats.service.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';
import { buildWorld, type World } from '../sharing/world.js';

/**
 * The dashboard's figures are the numbers of what was created: requests by state, decided steps, overdue
 * items, resources and duty coverage per department, data accesses per day — for the region and per org.
 */
for (const kind of storageKinds()) {
  describe(`statistics overview (${kind})`, () => {
    let ctx: TestContext;
    let w: World;
    const ids: Record<'approved' | 'refused' | 'open', string> = { approved: '', refused: '', open: '' };
    let grantId = '';
    let decidedSteps = 0;

    const overview = async (headers: Record<string, string>, status = 200): Promise<StatsOverviewDto> => {
      const res = await ctx.inject({ method: 'GET', url: '/api/v1/stats/overview', headers });
      assert.equal(res.statusCode, status, res.body);
      return res.json<StatsOverviewDto>();
    };

    before(async () => {
      ctx = await createTestContext(kind);
      w = await buildWorld(ctx, 30);
      const s = ctx.services.sharing;
      const ask = () =>
        s.createRequest(SYSTEM, {
          requesterOrgId: w.consumer.id,
          resources: [{ resource: w.resourceId, items: ['district', 'birth_date'] }],
          purpose: '统计测试',
          scenario: '统计测试',
          legalBasis: '测试',
          modes: ['read'],
          validTo: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        });
      let a = await ask();
      while (a.status !== 'approved') {
        a = await s.decide(SYSTEM, a.id, { decision: 'approve' });
      }
      ids.approved = a.id;
      grantId = a.grantIds[0]!;
      const b = await ask();
      ids.refused = (await s.decide(SYSTEM, b.id, { decision: 'refuse', reason: '不同意' })).id;
      ids.open = (await ask()).id;
      for (const id of [ids.approved, ids.refused]) {
        decidedSteps += (await s.getRequest(SYSTEM, id)).steps.filter((x) => x.decidedAt).length;
      }
      // Three accesses of 5, 5 and 3 rows under the approved grant.
      for (const limit of [5, 5, 3]) {
        const res = await ctx.inject({
          method: 'GET',
          url: `/api/v1/data/grants/${grantId}/rows?limit=${limit}`,
          headers: w.app.headers,
        });
        assert.equal(res.statusCode, 200, res.body);
      }
      // Duties of the provider: one catalogued (same name as its resource), one missing.
      const res = await ctx.services.catalog.getResource(SYSTEM, w.resourceId);
      await ctx.services.catalog.createDuty(SYSTEM, { orgId: w.provider.id, name: res.name });
      await ctx.services.catalog.createDuty(SYSTEM, { orgId: w.provider.id, name: '尚未编目的资源' });
    });
    after(() => ctx.close());

    test('the region: requests by state, decisions, grants, resources, duties and accesses as created', async () => {
      const o = await overview(w.bureauApprover);
      assert.equal(o.scope.kind, 'region');
      const byStatus = Object.fromEntries(o.requestsByStatus.map((r) => [r.status, r.count]));
      assert.deepEqual(byStatus, { approved: 1, refused: 1, provider_review: 1 });
      assert.equal(o.headline.requests, 3);
      assert.equal(o.headline.openRequests, 1);
      assert.equal(o.headline.approvedRequests, 1);
      assert.equal(o.headline.activeGrants, 1);
      assert.equal(o.decisionTime.decidedSteps, decidedSteps);
      assert.equal(
        o.decisionTime.byStage.reduce((n, s) => n + s.decidedSteps, 0),
        decidedSteps,
        'every decided step is in one stage',
      );
      assert.ok(o.decisionTime.avgHours !== null && o.decisionTime.avgHours < 1, 'decided within the test');
      assert.ok(o.decisionTime.avgWorkingDays !== null && o.decisionTime.avgWorkingDays <= 1);
      // Nothing is overdue yet.
      assert.equal(o.overdue.count, 0);
      // Resources: the provider's two published resources; its duties, one covered.
      const provider = o.resourcesByOrg.find((r) => r.orgId === w.provider.id)!;
      assert.equal(provider.published, 2);
      assert.equal(provider.byStatus.published, 2);
      const duty = o.dutyCoverage.find((d) => d.orgId === w.provider.id)!;
      assert.equal(duty.duties, 2);
      assert.equal(duty.covered, 1);
      assert.deepEqual(duty.missing, ['尚未编目的资源']);
      // Access volume: 30 days ending today, today's bar holds the three accesses and their 13 rows.
      assert.equal(o.accessVolume.series.length, 30);
      const today = o.accessVolume.series.at(-1)!;
      assert.equal(today.day, o.accessVolume.to);
      assert.equal(today.accesses, 3);
      assert.equal(today.rows, 13);
      assert.equal(o.headline.accesses, 3);
      assert.equal(o.headline.rowsServed, 13);
    });

    test('a department sees only where it is a party; the security administrator and visitors see nothing', async () => {
      const consumer = await overview(w.consumerUser);
      assert.deepEqual(consumer.scope, {
        kind: 'org',
        orgId: w.consumer.id,
        orgName: consumer.scope.orgName,
      });
      assert.equal(consumer.headline.requests, 3);
      assert.equal(consumer.headline.accesses, 3);
      assert.equal(consumer.resourcesByOrg.length, 0, 'the consumer publishes nothing');
      const provider = await overview(w.providerApprover);
      assert.equal(provider.headline.requests, 3);
      assert.deepEqual(
        provider.resourcesByOrg.map((r) => r.orgId),
        [w.provider.id],
      );
      assert.equal(provider.headline.accesses, 3, 'accesses to its data count for the provider');
      const other = await overview(w.otherUser);
      assert.equal(other.headline.requests, 0);
      assert.equal(other.headline.accesses, 0);
      assert.equal(other.headline.activeGrants, 0);
      assert.equal(other.dutyCoverage.length, 0);
      const sec = await ctx.newUser(w.bureau.id, ['secadmin']);
      await overview(await ctx.bearer(sec.username), 403);
      await overview({}, 401);
    });

    test('overdue: the open request past its working-day deadline, listed with both parties', async () => {
      const s = ctx.services.sharing as unknown as { deps: { now?: () => Date } };
      s.deps.now = () => new Date(Date.now() + 40 * 86_400_000);
      try {
        const o = await overview(w.bureauApprover);
        assert.equal(o.overdue.count, 1);
        assert.equal(o.headline.overdue, 1);
        const [item] = o.overdue.top;
        assert.equal(item!.id, ids.open);
        assert.equal(item!.kind, 'request');
        assert.equal(item!.providerOrgId, w.provider.id);
        assert.match(item!.providerOrgName, /机构/);
        assert.ok(
          item!.overdueWorkingDays > 0 && item!.overdueWorkingDays < 40,
          String(item!.overdueWorkingDays),
        );
        const other = await overview(w.otherUser);
        assert.equal(other.overdue.count, 0, 'not a party: not listed');
      } finally {
        delete s.deps.now;
      }
    });

    test('the calendar of a year: national holidays and 调休 days, with the region’s overrides', async () => {
      const put = await ctx.inject({
        method: 'PUT',
        url: '/api/v1/sharing/rules',
        headers: w.bureauApprover,
        payload: {
          bureauRule: { minLevel: 'important' },
          sla: {},
          calendarOverrides: [{ date: '2026-03-03', kind: 'HOLIDAY', name: '地方节日' }],
        },
      });
      assert.equal(put.statusCode, 200, put.body);
      const res = await ctx.inject({
        method: 'GET',
        url: '/api/v1/sharing/calendar?year=2026',
        headers: w.consumerUser,
      });
      assert.equal(res.statusCode, 200, res.body);
      const cal = res.json<{
        hasNationalData: boolean;
        entries: Array<{ date: string; kind: string; source: string }>;
      }>();
      assert.equal(cal.hasNationalData, true);
      assert.ok(
        cal.entries.some(
          (e) => e.date === '2026-02-14' && e.kind === 'MAKEUP_WORKDAY' && e.source === 'national',
        ),
      );
      assert.ok(
        cal.entries.some((e) => e.date === '2026-03-03' && e.kind === 'HOLIDAY' && e.source === 'region'),
      );
      const none = (
        await ctx.inject({
          method: 'GET',
          url: '/api/v1/sharing/calendar?year=2030',
          headers: w.consumerUser,
        })
      ).json<{ hasNationalData: boolean; entries: unknown[] }>();
      assert.equal(none.hasNationalData, false);
      assert.deepEqual(none.entries, []);
    });
  });
}
