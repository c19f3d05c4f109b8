/**
 * Roles and their rules (pure, no I/O).
 *
 * 三权分立: the system administrator runs the node (orgs, users, apps), the security administrator
 * assigns roles and handles credentials, the auditor reads the ledger. No person may hold two of them.
 * Business roles (catalog editor, approver, consumer) are held within a user's own organization.
 */
export const SYSTEM_ROLES = ['sysadmin', 'secadmin', 'auditor'] as const;
export const BUSINESS_ROLES = ['catalog_editor', 'approver', 'consumer'] as const;
export const ROLES = [...SYSTEM_ROLES, ...BUSINESS_ROLES] as const;

export type SystemRole = (typeof SYSTEM_ROLES)[number];
export type BusinessRole = (typeof BUSINESS_ROLES)[number];
export type Role = (typeof ROLES)[number];

export const ORG_KINDS = ['region', 'data_bureau', 'department', 'operator', 'auditor'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isSystemRole(value: string): value is SystemRole {
  return (SYSTEM_ROLES as readonly string[]).includes(value);
}

export function isOrgKind(value: string): value is OrgKind {
  return (ORG_KINDS as readonly string[]).includes(value);
}

/** Roles an app (service account) may carry: business roles only, never an administrative one. */
export function isAppRole(value: string): value is BusinessRole {
  return (BUSINESS_ROLES as readonly string[]).includes(value);
}

/**
 * Returns the pair of system roles that would be held together, or undefined when the set respects
 * separation of duties.
 */
export function separationOfDutiesConflict(roles: readonly string[]): [SystemRole, SystemRole] | undefined {
  const held = SYSTEM_ROLES.filter((r) => roles.includes(r));
  if (held.length > 1) {
    return [held[0] as SystemRole, held[1] as SystemRole];
  }
  return undefined;
}
