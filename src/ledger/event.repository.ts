import { type Selectable, sql } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { EventTable } from '../platform/db/schema.js';

export type EventRow = Selectable<EventTable>;
export type NewEventRow = Omit<EventRow, 'id' | 'occurred_at' | 'data'> & { data: Record<string, unknown> };

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
  async insert(db: Executor, row: NewEventRow): Promise<number> {
    const r = await db
      .insertInto('event')
      .values({ ...row, data: JSON.stringify(row.data) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  },

  /** Many events in one statement; ids come back in insertion order. */
  async insertMany(db: Executor, rows: NewEventRow[]): Promise<number[]> {
    if (rows.length === 0) {
      return [];
    }
    const r = await db
      .insertInto('event')
      .values(rows.map((row) => ({ ...row, data: JSON.stringify(row.data) })))
      .returning('id')
      .execute();
    return r.map((x) => Number(x.id)).sort((a, b) => a - b);
  },

  async list(db: Executor, q: EventQuery): Promise<EventRow[]> {
    let sel = db.selectFrom('event').selectAll().orderBy('id').limit(q.limit);
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
