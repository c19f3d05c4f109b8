import { Type } from 'typebox';

/** HTTP schemas of scheduled syncs (前置机 style): jobs and their run history. */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const ItemName = Type.String({ minLength: 1, maxLength: 100 });
const SyncMode = Type.Union([Type.Literal('full'), Type.Literal('incremental')]);
const OnError = Type.Union([Type.Literal('reject'), Type.Literal('quarantine')]);
const Every = Type.Integer({ minimum: 1, maximum: 43200, description: 'minutes between runs (1 … 30 days)' });

export const SyncRun = Type.Object({
  id: Type.String(),
  trigger: Type.Union([Type.Literal('schedule'), Type.Literal('manual')]),
  status: Type.Union([Type.Literal('ok'), Type.Literal('failed')]),
  rowsRead: Type.Integer(),
  rowsLoaded: Type.Integer(),
  rowsRejected: Type.Integer(),
  error: Nullable(Type.String()),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.String({ format: 'date-time' }),
});

export const SyncJob = Type.Object({
  id: Type.String(),
  from: Type.String({ description: 'the linked dataset copied from' }),
  resourceId: Type.String({ description: 'the resource whose hosted dataset receives the rows' }),
  orgId: Type.String(),
  mode: SyncMode,
  keys: Type.Array(Type.String()),
  since: Nullable(Type.String()),
  onError: OnError,
  everyMinutes: Type.Integer(),
  enabled: Type.Boolean(),
  nextRunAt: Type.String({ format: 'date-time' }),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  lastRun: Nullable(SyncRun),
});

export const SyncJobCreateBody = Type.Object(
  {
    from: Type.String({ minLength: 1, maxLength: 100 }),
    resource: Type.String({ minLength: 1, maxLength: 100, description: 'resource id or code' }),
    mode: SyncMode,
    keys: Type.Optional(Type.Array(ItemName, { maxItems: 20 })),
    since: Type.Optional(ItemName),
    onError: Type.Optional(OnError),
    everyMinutes: Every,
    firstRunAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const SyncJobPatchBody = Type.Object(
  { enabled: Type.Optional(Type.Boolean()), everyMinutes: Type.Optional(Every) },
  { additionalProperties: false, minProperties: 1 },
);
