import { type Selectable, sql } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { EventTable } from '../platform/db/schema.js';

export type EventRow = Omit<Selectable<EventTable>, 'leaf_hash' | 'data_jcs' | 'xid'>;

/** An event as a writer hands it over: id drawn, time fixed, `data` canonical, leaf hash computed. */
export interface NewEntryRow {
  id: number;
  type: string;
  actor_kind: string;
  actor_id: string | null;
  org_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  data_jcs: string;
  request_id: string | null;
  leaf_hash: Buffer;
}

const COLUMNS = [
  'id',
  'occurred_at',
  'type',
  'actor_kind',
  'actor_id',
  'org_id',
  'subject_type',
  'subject_id',
  'data',
  'request_id',
] as const;

export interface EventQuery {
  afterId?: number | undefined;
  type?: string | undefined;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  grantId?: string | undefined;
  orgId?: string | undefined;
  actorId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit: number;
}

export const eventRepository = {
  /**
   * Inserts events with their ids, time and leaf hash already fixed, in one statement (`data` is
   * stored from its canonical text, which is kept beside it for the verifier).
   */
  async insertEntries(db: Executor, at: Date, rows: readonly NewEntryRow[]): Promise<void> {
    const col = <K extends keyof NewEntryRow>(k: K) => rows.map((r) => r[k]);
    await sql`insert into event (id, occurred_at, type, actor_kind, actor_id, org_id, subject_type,
        subject_id, data, data_jcs, request_id, leaf_hash)
      select id, ${at.toISOString()}::timestamptz, ty, ak, ai, oi, st, si, d::jsonb, d, rq,
        substring(${Buffer.concat(col('leaf_hash'))}::bytea from (o::integer - 1) * 32 + 1 for 32)
      from unnest(${col('id').map(String)}::bigint[], ${col('type')}::text[], ${col('actor_kind')}::text[],
        ${col('actor_id')}::text[], ${col('org_id')}::text[], ${col('subject_type')}::text[],
        ${col('subject_id')}::text[], ${col('data_jcs')}::text[], ${col('request_id')}::text[])
        with ordinality as t(id, ty, ak, ai, oi, st, si, d, rq, o)`.execute(db);
  },

  async list(db: Executor, q: EventQuery): Promise<EventRow[]> {
    let sel = db.selectFrom('event').select(COLUMNS).orderBy('id').limit(q.limit);
    if (q.afterId !== undefined) {
      sel = sel.where('id', '>', String(q.afterId));
    }
    if (q.type) {
      sel = sel.where('type', '=', q.type);
    }
    if (q.subjectType) {
      sel = sel.where('subject_type', '=', q.subjectType);
    }
    if (q.subjectId) {
      sel = sel.where('subject_id', '=', q.subjectId);
    }
    if (q.grantId) {
      sel = sel.where(sql<string>`data->>'grantId'`, '=', q.grantId);
    }
    if (q.orgId) {
      sel = sel.where('org_id', '=', q.orgId);
    }
    if (q.actorId) {
      sel = sel.where('actor_id', '=', q.actorId);
    }
    if (q.since) {
      sel = sel.where('occurred_at', '>=', q.since);
    }
    if (q.until) {
      sel = sel.where('occurred_at', '<', q.until);
    }
    return sel.execute();
  },
};
