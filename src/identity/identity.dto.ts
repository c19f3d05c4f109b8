import type { ApiKeyDto, AppDto, OrgDto, UserDto } from '../contracts/identity.js';
import type { ApiKeyRow, AppRow } from './app.repository.js';
import type { OrgRow } from './org.repository.js';
import type { UserWithRoles } from './user.repository.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toOrgDto(r: OrgRow): OrgDto {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    nameEn: r.name_en,
    kind: r.kind as OrgDto['kind'],
    parentId: r.parent_id,
    regionCode: r.region_code,
    createdAt: r.created_at.toISOString(),
  };
}

export function toUserDto(r: UserWithRoles, now = new Date()): UserDto {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    orgId: r.org_id,
    email: r.email,
    status: r.status as UserDto['status'],
    roles: r.roles as UserDto['roles'],
    locked: r.locked_until !== null && r.locked_until > now,
    sso: r.oidc_subject !== null,
    lastLoginAt: iso(r.last_login_at),
    createdAt: r.created_at.toISOString(),
  };
}

export function toAppDto(r: AppRow): AppDto {
  return {
    id: r.id,
    name: r.name,
    orgId: r.org_id,
    description: r.description,
    roles: r.roles as AppDto['roles'],
    status: r.status as AppDto['status'],
    createdAt: r.created_at.toISOString(),
  };
}

export function toApiKeyDto(r: ApiKeyRow): ApiKeyDto {
  return {
    id: r.id,
    appId: r.app_id,
    name: r.name,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    expiresAt: iso(r.expires_at),
    revokedAt: iso(r.revoked_at),
    lastUsedAt: iso(r.last_used_at),
  };
}
