import type { OrgKind, Role } from './roles.js';

/**
 * Who is acting. Every service method takes an actor; authorization (access.ts) decides on it.
 * - user: a person signed in by password, OIDC or a bearer token;
 * - app: a service account calling with an API key, limited further by the key's scopes;
 * - system: the local operator running the CLI on the node itself (has the data directory);
 * - anonymous: nobody signed in.
 */
export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'system' }
  | {
      kind: 'user';
      id: string;
      orgId: string;
      roles: Role[];
      username: string;
      via: 'cookie' | 'bearer';
      /** Session CSRF token (cookie sessions only). */
      csrfToken?: string;
    }
  | {
      kind: 'app';
      id: string;
      orgId: string;
      roles: Role[];
      keyId: string;
      scopes: string[];
      /** The organization's kind, read with the key (cached with it, like the roles). */
      orgKind?: OrgKind;
    };

export const ANONYMOUS: Actor = { kind: 'anonymous' };
export const SYSTEM: Actor = { kind: 'system' };

export function actorId(actor: Actor): string | null {
  return actor.kind === 'user' || actor.kind === 'app' ? actor.id : null;
}

export function actorOrg(actor: Actor): string | null {
  return actor.kind === 'user' || actor.kind === 'app' ? actor.orgId : null;
}
