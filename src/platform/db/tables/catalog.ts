import type { ColumnType, Generated } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from './columns.js';

/** Tables of the catalog capability (政务数据目录). */
export interface CatalogResourceTable {
  id: string;
  code: string;
  seq: number;
  name: string;
  category: string;
  class_item: string;
  class_catalog: string;
  class_detail: string | null;
  provider_org_id: string;
  provider_code: string;
  provider_name: string;
  abstract: string;
  format_category: string;
  format_type: string;
  items: Json<unknown[]>;
  item_count: number;
  share_type: string;
  share_condition: string | null;
  share_mode: string;
  share_mode_type: string | null;
  open_type: string;
  open_condition: string | null;
  update_cycle: string;
  level: string;
  related_codes: Json<string[]>;
  extensions: Json<Record<string, string>>;
  status: string;
  /** Latest published version; 0 until first published. */
  version: Generated<number>;
  publish_date: string | null;
  deprecation: Json<{ reason: string; successorCode: string | null; at: string } | null> | null;
  submitted_by: string | null;
  search_count: Generated<number>;
  view_count: Generated<number>;
  request_count: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The search index: one narrow row per resource (migration 0010), written with the resource. */
export interface CatalogSearchTable {
  resource_id: string;
  tokens: string[];
  name: string;
  code: string;
  status: string;
  version: number;
  provider_org_id: string;
  provider_name: string;
  category: string;
  share_type: string;
  open_type: string;
  format_category: string;
  update_cycle: string;
  level: string;
  updated_at: ColumnType<Date, Date | string, Date | string>;
}

export interface CatalogVersionTable {
  resource_id: string;
  version: number;
  snapshot: Json<Record<string, unknown>>;
  changes: Json<unknown[]>;
  published_at: Timestamp;
  published_by: string | null;
}

export interface CatalogReviewTable {
  id: Generated<number>;
  resource_id: string;
  action: string;
  comment: string | null;
  actor_id: string | null;
  version: number;
  at: Timestamp;
}

export interface CatalogSeqTable {
  prefix: string;
  last: number;
}

export interface CatalogDutyTable {
  id: string;
  org_id: string;
  name: string;
  basis: string | null;
  due_date: string | null;
  created_by: string | null;
  created_at: Timestamp;
}

export interface CatalogDemandTable {
  id: string;
  title: string;
  description: string;
  requester_org_id: string | null;
  requester_id: string | null;
  contact: string | null;
  target_org_id: string | null;
  status: string;
  answer: string | null;
  resource_id: string | null;
  answered_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface CatalogTables {
  catalog_resource: CatalogResourceTable;
  catalog_search: CatalogSearchTable;
  catalog_version: CatalogVersionTable;
  catalog_review: CatalogReviewTable;
  catalog_seq: CatalogSeqTable;
  catalog_duty: CatalogDutyTable;
  catalog_demand: CatalogDemandTable;
}
