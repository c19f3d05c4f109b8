import { ForbiddenError, UnauthenticatedError } from '../platform/errors.js';
import type { Actor } from './actor.js';
import { PERMISSIONS, PERSON_ONLY, type Permission, type PermissionTarget, reachOf } from './permissions.js';

/** Resolves the organization that owns each target id (ids that do not exist are left out). */
export interface OwnershipLookup {
  orgsOf(target: Exclude<PermissionTarget, 'none'>, ids: readonly string[]): Promise<Map<string, string>>;
}

/**
 * The one authorization module: (actor, permission, ids) → the set of ids the actor may act on.
 * Set-based, like Immich's access.ts, so list endpoints filter and bulk endpoints report per id.
 */
export class Access {
  constructor(private readonly ownership: OwnershipLookup) {}

  /** Whether the actor holds the permission at all (any reach). */
  holds(actor: Actor, permission: Permission): boolean {
    return this.reach(actor, permission) !== undefined;
  }

  reach(actor: Actor, permission: Permission): 'all' | 'own_org' | undefined {
    switch (actor.kind) {
      case 'anonymous':
        return undefined;
      case 'system':
        return 'all';
      case 'user':
        return reachOf(actor.roles, permission);
      case 'app':
        return actor.scopes.includes(permission) && !PERSON_ONLY.has(permission)
          ? reachOf(actor.roles, permission)
          : undefined;
    }
  }

  async check(actor: Actor, permission: Permission, ids: readonly string[]): Promise<Set<string>> {
    const reach = this.reach(actor, permission);
    if (reach === undefined || ids.length === 0) {
      return new Set();
    }
    const target = PERMISSIONS[permission].target;
    if (reach === 'all' || target === 'none') {
      return new Set(ids);
    }
    const owners = await this.ownership.orgsOf(target, ids);
    const orgId = actor.kind === 'user' || actor.kind === 'app' ? actor.orgId : undefined;
    return new Set(ids.filter((id) => owners.get(id) === orgId));
  }

  /** Throws unless the actor may act on every id (or holds the permission, for `none` targets). */
  async require(actor: Actor, permission: Permission, ids: readonly string[] = []): Promise<void> {
    if (actor.kind === 'anonymous') {
      throw new UnauthenticatedError();
    }
    if (PERMISSIONS[permission].target === 'none' || ids.length === 0) {
      if (!this.holds(actor, permission)) {
        throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission } });
      }
      return;
    }
    const allowed = await this.check(actor, permission, ids);
    if (ids.some((id) => !allowed.has(id))) {
      throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission } });
    }
  }
}
