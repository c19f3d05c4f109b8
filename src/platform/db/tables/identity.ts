import type { Generated } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from './columns.js';

/** Tables of the identity capability. */
export interface OrgTable {
  id: string;
  code: string;
  name: string;
  name_en: string | null;
  kind: string;
  parent_id: string | null;
  region_code: string | null;
  created_at: Timestamp;
}

export interface AppUserTable {
  id: string;
  username: string;
  display_name: string;
  org_id: string;
  email: string | null;
  password_hash: string | null;
  oidc_subject: string | null;
  status: string;
  failed_logins: Generated<number>;
  locked_until: NullableTimestamp;
  last_login_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface UserRoleTable {
  user_id: string;
  role: string;
  granted_by: string | null;
  granted_at: Timestamp;
}

export interface AppTable {
  id: string;
  name: string;
  org_id: string;
  description: string | null;
  roles: Json<string[]>;
  status: string;
  created_by: string | null;
  created_at: Timestamp;
}

export interface ApiKeyTable {
  id: string;
  app_id: string;
  name: string;
  secret_hash: string;
  scopes: Json<string[]>;
  created_by: string | null;
  created_at: Timestamp;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
}

export interface SessionTable {
  token_hash: string;
  user_id: string;
  kind: string;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginFlowTable {
  state: string;
  nonce: string;
  code_verifier: string;
  return_to: string | null;
  created_at: Timestamp;
}

export interface IdentityTables {
  org: OrgTable;
  app_user: AppUserTable;
  user_role: UserRoleTable;
  app: AppTable;
  api_key: ApiKeyTable;
  session: SessionTable;
  login_flow: LoginFlowTable;
}
