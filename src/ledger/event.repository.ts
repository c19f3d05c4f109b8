import { type Selectable, sql } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { EventTable } from '../platform/db/schema.js';

export type EventRow = Omit<Selectable<EventTable>, 'leaf_hash' | 'data_jcs'>;

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
    // One JSON parameter (serialised natively) rather than one array per column, which the driver
    // escapes element by element in JavaScript: the writer's CPU is the scarce part.
    const json = JSON.stringify(
      rows.map((r) => ({
        id: r.id,
        ty: r.type,
        ak: r.actor_kind,
        ai: r.actor_id,
        oi: r.org_id,
        st: r.subject_type,
        si: r.subject_id,
        d: r.data_jcs,
        rq: r.request_id,
        h: r.leaf_hash.toString('hex'),
      })),
    );
    await sql`insert into event (id, occurred_at, type, actor_kind, actor_id, org_id, subject_type,
        subject_id, data, data_jcs, request_id, leaf_hash)
      select id, ${at.toISOString()}::timestamptz, ty, ak, ai, oi, st, si, d::jsonb, d, rq, decode(h, 'hex')
      from json_to_recordset(${json}::json)
        as t(id bigint, ty text, ak text, ai text, oi text, st text, si text, d text, rq text, h text)`.execute(
      db,
    );
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

  /**
   * Events of one type per Shanghai calendar day (UTC+8, no DST) since an instant, with the sum of
   * `data.rowCount`; optionally only those whose `data.grantId` is one of the given grants.
   */
  async countsByDay(
    db: Executor,
    q: { type: string; since: Date; grantIds?: readonly string[] | null },
  ): Promise<Array<{ day: string; count: number; rows: number }>> {
    if (q.grantIds && q.grantIds.length === 0) {
      return [];
    }
    const day = sql<string>`to_char((occurred_at at time zone 'UTC') + interval '8 hours', 'YYYY-MM-DD')`;
    let sel = db
      .selectFrom('event')
      .select([
        day.as('day'),
        (eb) => eb.fn.countAll<string>().as('n'),
        sql<string>`coalesce(sum((data->>'rowCount')::bigint), 0)`.as('rows'),
      ])
      .where('type', '=', q.type)
      .where('occurred_at', '>=', q.since);
    if (q.grantIds) {
      sel = sel.where(sql<string>`data->>'grantId'`, 'in', [...q.grantIds]);
    }
    const rows = await sel.groupBy(day).orderBy(day).execute();
    return rows.map((r) => ({ day: r.day, count: Number(r.n), rows: Number(r.rows) }));
  },
};
