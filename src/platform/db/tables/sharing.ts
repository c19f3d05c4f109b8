import type { Json, NullableTimestamp, Timestamp } from './columns.js';

/** Tables of the sharing capability (共享申请, 授权, 数据异议, 计量). */
export interface ShareRequestTable {
  id: string;
  requester_org_id: string;
  requester_app_id: string | null;
  requested_by: string | null;
  provider_org_id: string;
  status: string;
  purpose: string;
  scenario: string;
  legal_basis: string;
  modes: Json<string[]>;
  valid_from: Timestamp;
  valid_to: Timestamp;
  expected_volume: string | null;
  /** The pure state machine's state (share-request.ts ShareRequestState). */
  state: Json<Record<string, unknown>>;
  due_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RequestItemTable {
  request_id: string;
  resource_id: string;
  item: string;
  share_type: string;
  level: string;
}

export interface RequestStepTable {
  id: string;
  request_id: string;
  stage: string;
  started_at: Timestamp;
  due_at: NullableTimestamp;
  decided_at: NullableTimestamp;
  outcome: string | null;
  actor_id: string | null;
  reason: string | null;
}

export interface ShareGrantTable {
  id: string;
  request_id: string | null;
  consumer_org_id: string;
  consumer_app_id: string | null;
  provider_org_id: string;
  resource_id: string;
  status: string;
  row_filter: Json<unknown> | null;
  masking_profile: Json<Record<string, unknown>>;
  modes: Json<string[]>;
  quota: Json<Record<string, unknown>> | null;
  rate: Json<Record<string, unknown>> | null;
  valid_from: Timestamp;
  valid_to: Timestamp;
  purpose: string;
  linkage_scope: string | null;
  status_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GrantItemTable {
  grant_id: string;
  item: string;
}

export interface ObjectionTable {
  id: string;
  reporter_org_id: string;
  reported_by: string | null;
  provider_org_id: string;
  grant_id: string | null;
  resource_id: string;
  status: string;
  /** objection.ts ObjectionState. */
  state: Json<Record<string, unknown>>;
  due_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SharingRegionRuleTable {
  region: string;
  bureau_rule: Json<Record<string, unknown>>;
  sla: Json<Record<string, unknown>>;
  calendar_overrides: Json<unknown[]>;
  updated_at: Timestamp;
}

export interface UsageMeterTable {
  grant_id: string;
  period_key: string;
  calls: number;
  rows: number;
}

/** A notice for one person (a deadline reminder or an escalation of a share request). */
export interface SharingNotificationTable {
  id: string;
  user_id: string;
  org_id: string;
  kind: string;
  request_id: string;
  step_id: string | null;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
  read_at: NullableTimestamp;
}

/** A reminder of a review step already sent (by working days left). */
export interface RequestStepReminderTable {
  step_id: string;
  working_days_left: number;
  sent_at: Timestamp;
}

export interface SharingTables {
  share_request: ShareRequestTable;
  request_item: RequestItemTable;
  request_step: RequestStepTable;
  share_grant: ShareGrantTable;
  grant_item: GrantItemTable;
  objection: ObjectionTable;
  sharing_region_rule: SharingRegionRuleTable;
  usage_meter: UsageMeterTable;
  sharing_notification: SharingNotificationTable;
  request_step_reminder: RequestStepReminderTable;
}
