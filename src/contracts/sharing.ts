import { type Static, Type } from 'typebox';
import { Query } from './common.js';

/** The sharing contract (共享申请, 授权, 数据异议) and the governed data API. */
const Str = (max = 2000) => Type.String({ maxLength: max });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Mode = Type.Enum(['read', 'verify', 'download', 'subscribe', 'compute'] as const);
const Json = Type.Unknown();
const Level = Type.Enum(['core', 'important', 'general'] as const);

export const Quota = Type.Object(
  {
    period: Type.Enum(['day', 'month', 'total'] as const),
    maxCalls: Type.Optional(Type.Integer({ minimum: 0 })),
    maxRows: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export const Rate = Type.Object(
  { perSecond: Type.Number({ exclusiveMinimum: 0 }), burst: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);
export const GrantTerms = Type.Object(
  {
    rowFilter: Type.Optional(
      Type.Unknown({ description: 'datasets filter JSON, e.g. {"eq":["district","锦江区"]}' }),
    ),
    maskingProfile: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'item → MaskRule' }),
    ),
    quota: Type.Optional(Quota),
    rate: Type.Optional(Rate),
    linkageScope: Type.Optional(Str(100)),
  },
  { additionalProperties: false },
);

export const RequestCreate = Type.Object(
  {
    resources: Type.Array(
      Type.Object(
        { resource: Str(100), items: Type.Array(Str(200), { minItems: 1, maxItems: 500 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    purpose: Type.String({ minLength: 1, maxLength: 2000 }),
    scenario: Type.String({ minLength: 1, maxLength: 2000 }),
    legalBasis: Type.String({ minLength: 1, maxLength: 2000 }),
    modes: Type.Array(Mode, { minItems: 1, uniqueItems: true }),
    validFrom: Type.Optional(Type.String({ format: 'date-time' })),
    validTo: Type.String({ format: 'date-time' }),
    expectedVolume: Type.Optional(Str(200)),
    appId: Type.Optional(Str(100)),
  },
  { additionalProperties: false },
);

export const Decision = Type.Object(
  {
    decision: Type.Enum(['approve', 'refuse', 'return'] as const),
    reason: Type.Optional(Str()),
    legalBasis: Type.Optional(Str()),
    items: Type.Optional(
      Type.Array(Type.Object({ resourceId: Str(100), item: Str(200) }, { additionalProperties: false }), {
        minItems: 1,
      }),
    ),
    modes: Type.Optional(Type.Array(Mode, { minItems: 1, uniqueItems: true })),
    validTo: Type.Optional(Type.String({ format: 'date-time' })),
    terms: Type.Optional(GrantTerms),
  },
  { additionalProperties: false },
);
export const ReasonBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export const OptionalReason = Type.Object({ reason: Type.Optional(Str()) }, { additionalProperties: false });
export const Coordinate = Type.Object(
  {
    outcome: Type.Enum(['granted', 'upheld'] as const),
    note: Type.Optional(Str()),
    terms: Type.Optional(GrantTerms),
  },
  { additionalProperties: false },
);
export const Renew = Type.Object(
  { validTo: Type.String({ format: 'date-time' }) },
  { additionalProperties: false },
);

export const ShareRequest = Type.Object({
  id: Type.String(),
  status: Type.String({
    description:
      'provider_review | bureau_review | returned | approved | refused | coordination_requested | coordinated | withdrawn',
  }),
  requesterOrgId: Type.String(),
  requesterAppId: Nullable(Type.String()),
  providerOrgId: Type.String(),
  purpose: Type.String(),
  scenario: Type.String(),
  legalBasis: Type.String(),
  modes: Type.Array(Type.String()),
  validFrom: Type.String(),
  validTo: Type.String(),
  expectedVolume: Nullable(Type.String()),
  items: Type.Array(
    Type.Object({
      resourceId: Type.String(),
      item: Type.String(),
      shareType: Type.String(),
      level: Type.String(),
    }),
  ),
  bureauReviewRequired: Type.Boolean(),
  refusal: Nullable(
    Type.Object({ by: Type.String(), reason: Type.String(), legalBasis: Type.Optional(Type.String()) }),
  ),
  returnedReason: Nullable(Type.String()),
  coordinationReason: Nullable(Type.String()),
  dueAt: Nullable(Type.String({ description: 'end of the current step’s deadline (working days)' })),
  workingDaysLeft: Nullable(
    Type.Integer({
      description:
        'working days from today (Asia/Shanghai) to dueAt by the region’s calendar; negative when overdue',
    }),
  ),
  steps: Type.Array(
    Type.Object({
      stage: Type.String(),
      startedAt: Type.String(),
      dueAt: Nullable(Type.String()),
      decidedAt: Nullable(Type.String()),
      outcome: Nullable(Type.String()),
      reason: Nullable(Type.String()),
    }),
  ),
  grantIds: Type.Array(Type.String()),
  createdAt: Type.String(),
});
export type ShareRequestDto = Static<typeof ShareRequest>;

export const Grant = Type.Object({
  id: Type.String(),
  requestId: Nullable(Type.String()),
  consumerOrgId: Type.String(),
  consumerAppId: Nullable(Type.String()),
  providerOrgId: Type.String(),
  resourceId: Type.String(),
  status: Type.Enum(['active', 'suspended', 'revoked', 'expired'] as const),
  items: Type.Array(Type.String()),
  rowFilter: Json,
  maskingProfile: Type.Record(Type.String(), Type.Unknown()),
  modes: Type.Array(Type.String()),
  quota: Nullable(Quota),
  rate: Nullable(Rate),
  validFrom: Type.String(),
  validTo: Type.String(),
  purpose: Type.String(),
  statusReason: Nullable(Type.String()),
});

export const ObjectionCreate = Type.Object(
  {
    grantId: Str(100),
    items: Type.Array(Str(200), { minItems: 1, maxItems: 100 }),
    recordKeys: Type.Array(Str(200), { minItems: 1, maxItems: 1000 }),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false },
);
export const ObjectionResolve = Type.Union([
  Type.Object(
    {
      outcome: Type.Literal('correct'),
      corrections: Type.Array(
        Type.Object(
          {
            item: Str(200),
            recordKey: Str(200),
            oldValue: Type.Unknown(),
            newValue: Type.Unknown(),
            evidence: Type.Optional(Str(500)),
          },
          { additionalProperties: false },
        ),
        { minItems: 1 },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { outcome: Type.Literal('reject'), reason: Type.String({ minLength: 1, maxLength: 2000 }) },
    { additionalProperties: false },
  ),
]);
export const Objection = Type.Object({
  id: Type.String(),
  status: Type.String({
    description: 'reported | provider_verifying | corrected | rejected | closed | withdrawn',
  }),
  reporterOrgId: Type.String(),
  providerOrgId: Type.String(),
  grantId: Nullable(Type.String()),
  resourceId: Type.String(),
  items: Type.Array(Type.String()),
  recordKeys: Type.Array(Type.String()),
  description: Type.String(),
  rejectionReason: Nullable(Type.String()),
  corrections: Type.Array(Type.Unknown()),
  notified: Type.Array(Type.String()),
  dueAt: Nullable(Type.String()),
  workingDaysLeft: Nullable(
    Type.Integer({ description: 'working days left to dueAt (negative when overdue); null when closed' }),
  ),
  createdAt: Type.String(),
});

export const RegionRule = Type.Object(
  {
    bureauRule: Type.Object(
      { minLevel: Type.Optional(Level), allConditional: Type.Optional(Type.Boolean()) },
      { additionalProperties: false },
    ),
    sla: Type.Record(Type.String(), Type.Unknown(), {
      description: 'stage → { workingDays, remindAtWorkingDaysLeft }',
    }),
    calendarOverrides: Type.Array(
      Type.Object({
        date: Type.String(),
        kind: Type.Enum(['HOLIDAY', 'MAKEUP_WORKDAY'] as const),
        name: Type.Optional(Type.String()),
      }),
    ),
  },
  { additionalProperties: false },
);
export const RegionRuleOut = Type.Object({
  region: Type.String(),
  bureauRule: Type.Object({
    minLevel: Type.Optional(Type.String()),
    allConditional: Type.Optional(Type.Boolean()),
  }),
  sla: Type.Record(Type.String(), Type.Unknown()),
  calendarOverrides: Type.Array(Type.Unknown()),
});

export const CalendarQuery = Query({
  year: Type.Integer({ minimum: 2000, maximum: 2100, description: 'calendar year' }),
});
export const CalendarYearOut = Type.Object({
  year: Type.Integer(),
  hasNationalData: Type.Boolean({ description: 'false: govhub ships no national schedule for this year' }),
  notice: Nullable(Type.String()),
  entries: Type.Array(
    Type.Object({
      date: Type.String(),
      kind: Type.String({ description: 'HOLIDAY | MAKEUP_WORKDAY (调休上班)' }),
      name: Type.String(),
      source: Type.Enum(['national', 'region'] as const),
    }),
  ),
});

export const RequestListQuery = Query({ status: Type.Optional(Str(40)) });

// ── deadlines: reminders, escalation, notifications ───────────────────────────────────────────
export const Notification = Type.Object({
  id: Type.String(),
  kind: Type.Enum(['deadline_reminder', 'overdue_escalated'] as const, {
    description: 'deadline_reminder: n working days left on a review step; overdue_escalated: to the bureau',
  }),
  requestId: Type.String(),
  stepId: Nullable(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown(), {
    description: 'stage, status, workingDaysLeft, dueAt, purpose, requesterOrgId, providerOrgId',
  }),
  createdAt: Type.String(),
  readAt: Nullable(Type.String()),
});
export const NotificationList = Type.Object({ items: Type.Array(Notification) });
export const NotificationQuery = Query({
  unread: Type.Optional(Type.Boolean({ description: 'only unread ones' })),
});
export const NotificationRead = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.String({ maxLength: 100 }), { maxItems: 500, description: 'omitted: all' }),
    ),
  },
  { additionalProperties: false },
);
export const NotificationReadResult = Type.Object({ updated: Type.Integer() });
export const SweepResult = Type.Object({
  at: Type.String(),
  reminded: Type.Array(
    Type.Object({
      requestId: Type.String(),
      stepId: Type.String(),
      stage: Type.String(),
      workingDaysLeft: Type.Integer(),
      recipients: Type.Integer(),
    }),
  ),
  escalated: Type.Array(Type.String()),
});

// ── governed data API ─────────────────────────────────────────────────────────────────────────
export const GrantParams = Type.Object(
  { grantId: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export const RowsQuery = Query({
  items: Type.Optional(
    Type.String({ maxLength: 4000, description: 'comma-separated granted items (default: all)' }),
  ),
  filter: Type.Optional(
    Type.String({ maxLength: 8000, description: 'filter JSON, ANDed with the grant’s row filter' }),
  ),
  order: Type.Optional(Type.String({ maxLength: 1000, description: 'item[:desc],…' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
});
export const StreamQuery = Query({
  items: Type.Optional(Type.String({ maxLength: 4000 })),
  filter: Type.Optional(Type.String({ maxLength: 8000 })),
  order: Type.Optional(Type.String({ maxLength: 1000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  format: Type.Optional(Type.Enum(['ndjson', 'csv'] as const)),
});
export const RowsPage = Type.Object({
  grantId: Type.String(),
  items: Type.Array(Type.String()),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  nextCursor: Nullable(Type.String()),
});
export const VerifyBody = Type.Object(
  {
    key: Type.Record(
      Type.String({ maxLength: 200 }),
      Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()]),
      {
        description: 'key items and values selecting the record, e.g. {"id_number":"…"}',
      },
    ),
    claims: Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), {
      description: 'claimed values per item',
    }),
  },
  { additionalProperties: false },
);
export const VerifyResult = Type.Object({
  grantId: Type.String(),
  results: Type.Record(Type.String(), Type.Enum(['match', 'no_match'] as const)),
});
