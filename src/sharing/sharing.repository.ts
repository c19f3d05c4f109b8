import { CompiledQuery, type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import { prepared } from '../platform/db/prepared.js';
import type {
  ObjectionTable,
  RequestItemTable,
  RequestStepTable,
  ShareGrantTable,
  ShareRequestTable,
  SharingNotificationTable,
  SharingRegionRuleTable,
} from '../platform/db/schema.js';

export type RequestRow = Selectable<ShareRequestTable>;
export type RequestItemRow = Selectable<RequestItemTable>;
export type StepRow = Selectable<RequestStepTable>;
export type GrantRow = Selectable<ShareGrantTable>;
export type ObjectionRow = Selectable<ObjectionTable>;
export type RegionRuleRow = Selectable<SharingRegionRuleTable>;
export type NotificationRow = Selectable<SharingNotificationTable>;

export interface GrantStatusRow {
  id: string;
  status: string;
  valid_to: Date;
}

const GRANT_STATUSES = 'select "id", "status", "valid_to" from "share_grant" where "id" = any($1::text[])';

/** SQL of the sharing capability. Every function takes its executor (inside a transaction: the trx). */
export const sharingRepository = {
  async insertRequest(
    db: Executor,
    row: Insertable<ShareRequestTable>,
    items: RequestItemRow[],
  ): Promise<void> {
    await db.insertInto('share_request').values(row).execute();
    if (items.length > 0) {
      await db.insertInto('request_item').values(items).execute();
    }
  },
  request(db: Executor, id: string, forUpdate = false): Promise<RequestRow | undefined> {
    let q = db.selectFrom('share_request').selectAll().where('id', '=', id);
    if (forUpdate) {
      q = q.forUpdate();
    }
    return q.executeTakeFirst();
  },
  requestItems(db: Executor, id: string): Promise<RequestItemRow[]> {
    return db.selectFrom('request_item').selectAll().where('request_id', '=', id).orderBy('item').execute();
  },
  async updateRequest(db: Executor, id: string, patch: Updateable<ShareRequestTable>): Promise<void> {
    await db
      .updateTable('share_request')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  },
  listRequests(db: Executor, orgId: string | null, status?: string): Promise<RequestRow[]> {
    let q = db.selectFrom('share_request').selectAll();
    if (orgId !== null) {
      q = q.where((eb) => eb.or([eb('requester_org_id', '=', orgId), eb('provider_org_id', '=', orgId)]));
    }
    if (status) {
      q = q.where('status', '=', status);
    }
    return q.orderBy('created_at', 'desc').limit(500).execute();
  },
  async openStep(db: Executor, row: Insertable<RequestStepTable>): Promise<void> {
    await db.insertInto('request_step').values(row).execute();
  },
  async closeSteps(
    db: Executor,
    requestId: string,
    outcome: string,
    actorId: string | null,
    reason: string | null,
  ) {
    await db
      .updateTable('request_step')
      .set({ decided_at: new Date(), outcome, actor_id: actorId, reason })
      .where('request_id', '=', requestId)
      .where('decided_at', 'is', null)
      .execute();
  },
  /** Open review steps with a deadline, with their request's status and organizations. */
  openTimedSteps(db: Executor) {
    return db
      .selectFrom('request_step as s')
      .innerJoin('share_request as r', 'r.id', 's.request_id')
      .select([
        's.id',
        's.request_id',
        's.stage',
        's.started_at',
        's.due_at',
        'r.status',
        'r.provider_org_id',
        'r.requester_org_id',
      ])
      .where('s.decided_at', 'is', null)
      .where('s.due_at', 'is not', null)
      .orderBy('s.due_at')
      .execute();
  },
  /** Marks reminders of a step as sent; returns those that were not sent before. */
  async markReminders(db: Executor, stepId: string, daysLeft: number[], at: Date): Promise<number[]> {
    if (daysLeft.length === 0) {
      return [];
    }
    const rows = await db
      .insertInto('request_step_reminder')
      .values(daysLeft.map((d) => ({ step_id: stepId, working_days_left: d, sent_at: at })))
      .onConflict((oc) => oc.columns(['step_id', 'working_days_left']).doNothing())
      .returning('working_days_left')
      .execute();
    return rows.map((r) => r.working_days_left);
  },
  async insertNotifications(db: Executor, rows: Insertable<SharingNotificationTable>[]): Promise<void> {
    if (rows.length > 0) {
      await db.insertInto('sharing_notification').values(rows).execute();
    }
  },
  notifications(db: Executor, userId: string, unreadOnly: boolean): Promise<NotificationRow[]> {
    let q = db.selectFrom('sharing_notification').selectAll().where('user_id', '=', userId);
    if (unreadOnly) {
      q = q.where('read_at', 'is', null);
    }
    return q.orderBy('created_at', 'desc').orderBy('id').limit(200).execute();
  },
  async markRead(db: Executor, userId: string, ids: string[] | 'all', at: Date): Promise<number> {
    let q = db
      .updateTable('sharing_notification')
      .set({ read_at: at })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null);
    if (ids !== 'all') {
      if (ids.length === 0) {
        return 0;
      }
      q = q.where('id', 'in', ids);
    }
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
  steps(db: Executor, requestId: string): Promise<StepRow[]> {
    return db
      .selectFrom('request_step')
      .selectAll()
      .where('request_id', '=', requestId)
      .orderBy('started_at')
      .execute();
  },
  async insertGrant(db: Executor, row: Insertable<ShareGrantTable>, items: string[]): Promise<void> {
    await db.insertInto('share_grant').values(row).execute();
    await db
      .insertInto('grant_item')
      .values(items.map((item) => ({ grant_id: row.id, item })))
      .execute();
  },
  grant(db: Executor, id: string, forUpdate = false): Promise<GrantRow | undefined> {
    let q = db.selectFrom('share_grant').selectAll().where('id', '=', id);
    if (forUpdate) {
      q = q.forUpdate();
    }
    return q.executeTakeFirst();
  },
  /** Only the status columns: the cheap check an open stream makes between batches (prepared statement). */
  async grantStatus(db: Executor, id: string): Promise<GrantStatusRow | undefined> {
    const [row] = await this.grantStatuses(db, [id]);
    return row;
  },
  /** The status gate of the access recorder, once per batch of calls (prepared statement). */
  async grantStatuses(db: Executor, ids: string[]): Promise<GrantStatusRow[]> {
    const r = await db.executeQuery<GrantStatusRow>(CompiledQuery.raw(prepared(GRANT_STATUSES), [ids]));
    return r.rows;
  },
  async grantItems(db: Executor, id: string): Promise<string[]> {
    const rows = await db
      .selectFrom('grant_item')
      .select('item')
      .where('grant_id', '=', id)
      .orderBy('item')
      .execute();
    return rows.map((r) => r.item);
  },
  listGrants(db: Executor, orgId: string | null): Promise<GrantRow[]> {
    let q = db.selectFrom('share_grant').selectAll();
    if (orgId !== null) {
      q = q.where((eb) => eb.or([eb('consumer_org_id', '=', orgId), eb('provider_org_id', '=', orgId)]));
    }
    return q.orderBy('created_at', 'desc').limit(500).execute();
  },
  grantsOfRequest(db: Executor, requestId: string): Promise<GrantRow[]> {
    return db.selectFrom('share_grant').selectAll().where('request_id', '=', requestId).execute();
  },
  async updateGrant(db: Executor, id: string, patch: Updateable<ShareGrantTable>): Promise<void> {
    await db
      .updateTable('share_grant')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  },
  async usage(db: Executor, grantId: string, periodKey: string): Promise<{ calls: number; rows: number }> {
    const r = await db
      .selectFrom('usage_meter')
      .select(['calls', 'rows'])
      .where('grant_id', '=', grantId)
      .where('period_key', '=', periodKey)
      .executeTakeFirst();
    return { calls: Number(r?.calls ?? 0), rows: Number(r?.rows ?? 0) };
  },
  async meter(db: Executor, grantId: string, periodKey: string, rows: number, calls = 1): Promise<void> {
    await db
      .insertInto('usage_meter')
      .values({ grant_id: grantId, period_key: periodKey, calls, rows })
      .onConflict((oc) =>
        oc.columns(['grant_id', 'period_key']).doUpdateSet({
          calls: sql`usage_meter.calls + ${calls}`,
          rows: sql`usage_meter.rows + ${rows}`,
        }),
      )
      .execute();
  },
  async insertObjection(db: Executor, row: Insertable<ObjectionTable>): Promise<void> {
    await db.insertInto('objection').values(row).execute();
  },
  objection(db: Executor, id: string, forUpdate = false): Promise<ObjectionRow | undefined> {
    let q = db.selectFrom('objection').selectAll().where('id', '=', id);
    if (forUpdate) {
      q = q.forUpdate();
    }
    return q.executeTakeFirst();
  },
  async updateObjection(db: Executor, id: string, patch: Updateable<ObjectionTable>): Promise<void> {
    await db
      .updateTable('objection')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  },
  listObjections(db: Executor, orgId: string | null): Promise<ObjectionRow[]> {
    let q = db.selectFrom('objection').selectAll();
    if (orgId !== null) {
      q = q.where((eb) => eb.or([eb('reporter_org_id', '=', orgId), eb('provider_org_id', '=', orgId)]));
    }
    return q.orderBy('created_at', 'desc').limit(500).execute();
  },
  regionRule(db: Executor, region: string): Promise<RegionRuleRow | undefined> {
    return db.selectFrom('sharing_region_rule').selectAll().where('region', '=', region).executeTakeFirst();
  },
  async putRegionRule(db: Executor, row: Insertable<SharingRegionRuleTable>): Promise<void> {
    await db
      .insertInto('sharing_region_rule')
      .values(row)
      .onConflict((oc) =>
        oc.column('region').doUpdateSet({
          bureau_rule: row.bureau_rule,
          sla: row.sla,
          calendar_overrides: row.calendar_overrides,
          updated_at: new Date(),
        }),
      )
      .execute();
  },
  // ── figures for the statistics capability (read-only, scoped to an org or the whole region) ──────────
  async statsFigures(db: Executor, orgId: string | null, stepLimit = 5000) {
    let byStatus = db
      .selectFrom('share_request')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('status');
    let steps = db
      .selectFrom('request_step as s')
      .innerJoin('share_request as r', 'r.id', 's.request_id')
      .select(['s.stage', 's.started_at', 's.decided_at', 's.outcome'])
      .where('s.decided_at', 'is not', null)
      .orderBy('s.decided_at', 'desc')
      .limit(stepLimit);
    let open = db
      .selectFrom('share_request')
      .select(['id', 'status', 'due_at', 'requester_org_id', 'provider_org_id', 'purpose', 'created_at'])
      .where('status', 'in', ['provider_review', 'bureau_review', 'coordination_requested'])
      .where('due_at', 'is not', null);
    let objections = db
      .selectFrom('objection')
      .select(['id', 'status', 'due_at', 'reporter_org_id', 'provider_org_id', 'created_at'])
      .where('status', 'in', ['reported', 'provider_verifying'])
      .where('due_at', 'is not', null);
    let grants = db.selectFrom('share_grant').select(['id', 'status', 'valid_to']);
    if (orgId !== null) {
      byStatus = byStatus.where((eb) =>
        eb.or([eb('requester_org_id', '=', orgId), eb('provider_org_id', '=', orgId)]),
      );
      steps = steps.where((eb) =>
        eb.or([eb('r.requester_org_id', '=', orgId), eb('r.provider_org_id', '=', orgId)]),
      );
      open = open.where((eb) =>
        eb.or([eb('requester_org_id', '=', orgId), eb('provider_org_id', '=', orgId)]),
      );
      objections = objections.where((eb) =>
        eb.or([eb('reporter_org_id', '=', orgId), eb('provider_org_id', '=', orgId)]),
      );
      grants = grants.where((eb) =>
        eb.or([eb('consumer_org_id', '=', orgId), eb('provider_org_id', '=', orgId)]),
      );
    }
    const [s, st, o, ob, g] = await Promise.all([
      byStatus.execute(),
      steps.execute(),
      open.execute(),
      objections.execute(),
      grants.execute(),
    ]);
    return { byStatus: s, steps: st, open: o, objections: ob, grants: g };
  },
};
