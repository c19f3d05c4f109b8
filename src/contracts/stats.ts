import { Type } from 'typebox';
import { Query } from './common.js';

const Count = Type.Integer({ minimum: 0 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const OverviewQuery = Query({
  days: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 366, description: 'access-volume window in days (default 30)' }),
  ),
});

export const OverdueItem = Type.Object({
  kind: Type.Union([Type.Literal('request'), Type.Literal('objection')]),
  id: Type.String(),
  status: Type.String(),
  dueAt: Type.String(),
  overdueWorkingDays: Count,
  requesterOrgId: Type.String(),
  requesterOrgName: Type.String(),
  providerOrgId: Type.String(),
  providerOrgName: Type.String(),
  title: Nullable(Type.String()),
});

export const StatsOverview = Type.Object(
  {
    scope: Type.Object({
      kind: Type.Union([Type.Literal('region'), Type.Literal('org')]),
      orgId: Nullable(Type.String()),
      orgName: Nullable(Type.String()),
    }),
    generatedAt: Type.String(),
    headline: Type.Object({
      resources: Count,
      publishedResources: Count,
      providers: Count,
      duties: Count,
      dutiesCovered: Count,
      requests: Count,
      openRequests: Count,
      approvedRequests: Count,
      activeGrants: Count,
      overdue: Count,
      accesses: Count,
      rowsServed: Count,
    }),
    requestsByStatus: Type.Array(Type.Object({ status: Type.String(), count: Count })),
    decisionTime: Type.Object(
      {
        decidedSteps: Count,
        avgWorkingDays: Nullable(Type.Number()),
        avgHours: Nullable(Type.Number()),
        byStage: Type.Array(
          Type.Object({
            stage: Type.String(),
            decidedSteps: Count,
            avgWorkingDays: Type.Number(),
            avgHours: Type.Number(),
          }),
        ),
      },
      {
        description:
          'Per decided approval step: working days (Shanghai calendar with the region’s overrides, start day ' +
          'not counted, as SLA deadlines count) and clock hours from the step’s start to its decision',
      },
    ),
    overdue: Type.Object({ count: Count, top: Type.Array(OverdueItem) }),
    resourcesByOrg: Type.Array(
      Type.Object({
        orgId: Type.String(),
        orgName: Type.String(),
        total: Count,
        published: Count,
        byStatus: Type.Record(Type.String(), Count),
      }),
    ),
    dutyCoverage: Type.Array(
      Type.Object({
        orgId: Type.String(),
        orgName: Type.String(),
        duties: Count,
        covered: Count,
        missing: Type.Array(Type.String()),
      }),
    ),
    accessVolume: Type.Object({
      days: Count,
      from: Type.String({ description: 'first day (Asia/Shanghai), YYYY-MM-DD' }),
      to: Type.String(),
      series: Type.Array(Type.Object({ day: Type.String(), accesses: Count, rows: Count })),
    }),
  },
  { description: '运行概况 / operating overview' },
);
