/**
 * Statistics (运行统计): the dashboard's figures, read from the other capabilities only through their
 * services. Nothing here writes. The scope is decided once, here: the data bureau, the system
 * administrator and the auditor see the region; anyone else with `stats.read` sees the figures where
 * their own organization is a party (as provider or consumer).
 */
import type { CatalogService } from '../catalog/catalog.service.js';
import type { Static } from 'typebox';
import type { StatsOverview } from '../contracts/stats.js';
import type { Access } from '../identity/access.js';
import { type Actor, actorOrg, SYSTEM } from '../identity/actor.js';
import type { OrgService } from '../identity/org.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { ForbiddenError } from '../platform/errors.js';
import type { SharingService } from '../sharing/sharing.service.js';
import {
  fromDayNumber,
  dayNumber,
  nationalCalendar,
  shanghaiDate,
  workingDaysBetween,
} from '../sharing/working-days.js';

export type StatsOverviewDto = Static<typeof StatsOverview>;

/** How many overdue items the overview lists (the count covers all of them). */
const TOP_OVERDUE = 5;
const OPEN_REQUEST = new Set([
  'draft',
  'provider_review',
  'bureau_review',
  'returned',
  'coordination_requested',
]);

const round1 = (n: number) => Math.round(n * 10) / 10;

export class StatsService {
  constructor(
    private readonly deps: {
      access: Access;
      orgs: OrgService;
      catalog: CatalogService;
      sharing: SharingService;
      ledger: LedgerService;
    },
  ) {}

  /** Region for the bureau, sysadmin and auditor (and the system actor); otherwise the actor's own org. */
  async scope(actor: Actor): Promise<{ kind: 'region' } | { kind: 'org'; orgId: string }> {
    await this.deps.access.require(actor, 'stats.read');
    if (this.deps.access.reach(actor, 'stats.read') === 'all' || (await this.deps.sharing.isBureau(actor))) {
      return { kind: 'region' };
    }
    const orgId = actorOrg(actor);
    if (!orgId) {
      throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission: 'stats.read' } });
    }
    return { kind: 'org', orgId };
  }

  async overview(actor: Actor, opts: { days?: number } = {}): Promise<StatsOverviewDto> {
    const scope = await this.scope(actor);
    const orgId = scope.kind === 'org' ? scope.orgId : null;
    const days = opts.days ?? 30;
    const [sharing, resources, coverage, orgs] = await Promise.all([
      this.deps.sharing.statsFigures(actor, orgId),
      this.deps.catalog.resourceCounts(actor, orgId),
      this.deps.catalog.coverage(actor),
      this.deps.orgs.list(SYSTEM),
    ]);
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    const now = new Date(sharing.now);
    const cal = nationalCalendar({ overrides: sharing.calendarOverrides });

    // Access volume: one bar per Shanghai day, zero-filled, the last `days` days including today.
    const today = dayNumber(shanghaiDate(now));
    const first = today - days + 1;
    const from = fromDayNumber(first);
    const since = new Date(Date.parse(`${from}T00:00:00+08:00`));
    const grantIds = orgId === null ? null : sharing.grants.map((g) => g.id);
    const counted = await this.deps.ledger.dailyCounts(actor, { type: 'data.accessed', since, grantIds });
    const perDay = new Map(counted.map((c) => [c.day, c]));
    const series = [];
    for (let d = first; d <= today; d++) {
      const day = fromDayNumber(d);
      const c = perDay.get(day);
      series.push({ day, accesses: c?.count ?? 0, rows: c?.rows ?? 0 });
    }

    // Decision time per decided approval step.
    const wd = (a: string, b: string) =>
      Math.max(0, workingDaysBetween(shanghaiDate(new Date(a)), shanghaiDate(new Date(b)), cal));
    const hours = (a: string, b: string) => Math.max(0, (Date.parse(b) - Date.parse(a)) / 3_600_000);
    const byStage = new Map<string, { n: number; wd: number; h: number }>();
    let totalWd = 0;
    let totalH = 0;
    for (const s of sharing.decidedSteps) {
      const w = wd(s.startedAt, s.decidedAt);
      const h = hours(s.startedAt, s.decidedAt);
      totalWd += w;
      totalH += h;
      const cur = byStage.get(s.stage) ?? { n: 0, wd: 0, h: 0 };
      cur.n++;
      cur.wd += w;
      cur.h += h;
      byStage.set(s.stage, cur);
    }
    const decided = sharing.decidedSteps.length;

    // Overdue: open steps and objections past their due instant, most overdue first.
    const overdueAll = [
      ...sharing.openRequests.map((r) => ({ kind: 'request' as const, ...r })),
      ...sharing.openObjections.map((o) => ({ kind: 'objection' as const, ...o })),
    ]
      .filter((x) => Date.parse(x.dueAt) < now.getTime())
      .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
    const top = overdueAll.slice(0, TOP_OVERDUE).map((x) => ({
      kind: x.kind,
      id: x.id,
      status: x.status,
      dueAt: x.dueAt,
      overdueWorkingDays: Math.max(
        0,
        workingDaysBetween(shanghaiDate(new Date(x.dueAt)), shanghaiDate(now), cal),
      ),
      requesterOrgId: x.requesterOrgId,
      requesterOrgName: orgName.get(x.requesterOrgId) ?? x.requesterOrgId,
      providerOrgId: x.providerOrgId,
      providerOrgName: orgName.get(x.providerOrgId) ?? x.providerOrgId,
      title: x.title,
    }));

    // Resources per provider.
    const perOrg = new Map<
      string,
      { orgId: string; orgName: string; total: number; published: number; byStatus: Record<string, number> }
    >();
    for (const r of resources) {
      const cur = perOrg.get(r.orgId) ?? {
        orgId: r.orgId,
        orgName: orgName.get(r.orgId) ?? r.orgName,
        total: 0,
        published: 0,
        byStatus: {},
      };
      cur.total += r.count;
      cur.byStatus[r.status] = (cur.byStatus[r.status] ?? 0) + r.count;
      if (r.status === 'published') {
        cur.published += r.count;
      }
      perOrg.set(r.orgId, cur);
    }
    const resourcesByOrg = [...perOrg.values()].sort(
      (a, b) => b.total - a.total || a.orgName.localeCompare(b.orgName),
    );
    const dutyCoverage = coverage
      .filter((c) => orgId === null || c.orgId === orgId)
      .sort((a, b) => a.orgName.localeCompare(b.orgName));

    const requestsByStatus = [...sharing.requestsByStatus].sort((a, b) => b.count - a.count);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return {
      scope: {
        kind: scope.kind,
        orgId,
        orgName: orgId === null ? null : (orgName.get(orgId) ?? null),
      },
      generatedAt: now.toISOString(),
      headline: {
        resources: sum(resourcesByOrg.map((r) => r.total)),
        publishedResources: sum(resourcesByOrg.map((r) => r.published)),
        providers: resourcesByOrg.filter((r) => r.published > 0).length,
        duties: sum(dutyCoverage.map((c) => c.duties)),
        dutiesCovered: sum(dutyCoverage.map((c) => c.covered)),
        requests: sum(requestsByStatus.map((r) => r.count)),
        openRequests: sum(requestsByStatus.filter((r) => OPEN_REQUEST.has(r.status)).map((r) => r.count)),
        approvedRequests: requestsByStatus.find((r) => r.status === 'approved')?.count ?? 0,
        activeGrants: sharing.grants.filter((g) => g.status === 'active').length,
        overdue: overdueAll.length,
        accesses: sum(series.map((s) => s.accesses)),
        rowsServed: sum(series.map((s) => s.rows)),
      },
      requestsByStatus,
      decisionTime: {
        decidedSteps: decided,
        avgWorkingDays: decided ? round1(totalWd / decided) : null,
        avgHours: decided ? round1(totalH / decided) : null,
        byStage: [...byStage].map(([stage, v]) => ({
          stage,
          decidedSteps: v.n,
          avgWorkingDays: round1(v.wd / v.n),
          avgHours: round1(v.h / v.n),
        })),
      },
      overdue: { count: overdueAll.length, top },
      resourcesByOrg,
      dutyCoverage,
      accessVolume: { days, from, to: fromDayNumber(today), series },
    };
  }
}
