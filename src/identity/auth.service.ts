import type { UserDto } from '../contracts/identity.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Config } from '../platform/config.js';
import type { Db } from '../platform/db/database.js';
import { UnauthenticatedError } from '../platform/errors.js';
import type { Actor } from './actor.js';
import { appRepository } from './app.repository.js';
import { toUserDto } from './identity.dto.js';
import type { KeyCache } from './key-cache.js';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password.js';
import { isOrgKind, isRole, type Role } from './roles.js';
import { sessionRepository } from './session.repository.js';
import { newSecret, parseApiKey, sha256Hex } from './tokens.js';
import { type UserRow, userRepository } from './user.repository.js';

export interface SessionOpened {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  user: UserDto;
}

export interface ClientMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
}

export type CachedKey = { actor: Actor & { kind: 'app' }; expiresAt: number | null };

const invalidCredentials = () =>
  new UnauthenticatedError('AUTH_INVALID_CREDENTIALS', 'error.invalidCredentials');

/**
 * Sign-in and credential checks: password login with lockout, sessions (cookie or bearer) and API keys.
 * A wrong password, an unknown user, a disabled or a locked account all give the same answer.
 */
export class AuthService {
  constructor(
    private readonly deps: {
      db: Db;
      ledger: LedgerService;
      config: Pick<Config, 'session' | 'login'>;
      keyCache: KeyCache<CachedKey>;
    },
  ) {}

  async login(
    username: string,
    password: string,
    kind: 'cookie' | 'bearer',
    meta: ClientMeta = {},
  ): Promise<SessionOpened> {
    const user = await userRepository.byUsername(this.deps.db, username);
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
    if (!user) {
      throw invalidCredentials();
    }
    const now = new Date();
    const locked = user.locked_until !== null && user.locked_until > now;
    if (!ok || locked || user.status !== 'active' || !user.password_hash) {
      await this.recordFailure(user, locked ? 'locked' : ok ? 'inactive' : 'password', meta);
      throw invalidCredentials();
    }
    return this.openSession(user, kind, meta, 'password');
  }

  /** Opens a session for a user already proven by another means (OIDC single sign-on). */
  async openSession(
    user: UserRow,
    kind: 'cookie' | 'bearer',
    meta: ClientMeta,
    method: 'password' | 'oidc',
  ): Promise<SessionOpened> {
    const token = newSecret();
    const csrfToken = newSecret(18);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.deps.config.session.ttlHours * 3_600_000);
    const actor: Actor = {
      kind: 'user',
      id: user.id,
      orgId: user.org_id,
      roles: [],
      username: user.username,
      via: kind,
    };
    await this.deps.db.transaction().execute(async (trx) => {
      await sessionRepository.insert(trx, {
        token_hash: sha256Hex(token),
        user_id: user.id,
        kind,
        csrf_token: csrfToken,
        expires_at: expiresAt,
        ip: meta.ip ?? null,
        user_agent: meta.userAgent?.slice(0, 300) ?? null,
      });
      await userRepository.update(trx, user.id, { failed_logins: 0, locked_until: null, last_login_at: now });
      await this.deps.ledger.record(trx, actor, {
        type: 'auth.login',
        subjectType: 'user',
        subjectId: user.id,
        data: { method, session: kind, ip: meta.ip ?? null },
        requestId: meta.requestId ?? null,
      });
    });
    const fresh = await userRepository.byId(this.deps.db, user.id);
    return { token, csrfToken, expiresAt, user: toUserDto(fresh ?? { ...user, roles: [] }) };
  }

  /** Deletes sessions past their expiry and sign-in flows older than ten minutes (run periodically by `serve`). */
  async sweepExpired(now = new Date()): Promise<void> {
    await sessionRepository.deleteExpired(this.deps.db, now);
    await sessionRepository.deleteStaleFlows(this.deps.db, new Date(now.getTime() - 10 * 60_000));
  }

  async logout(token: string): Promise<void> {
    await sessionRepository.revoke(this.deps.db, sha256Hex(token), new Date());
  }

  /** Resolves a session token (cookie or bearer) to its user, or undefined when it is not live. */
  async sessionActor(token: string, via: 'cookie' | 'bearer'): Promise<Actor | undefined> {
    const now = new Date();
    const session = await sessionRepository.live(this.deps.db, sha256Hex(token), now);
    if (!session || session.kind !== via) {
      return undefined;
    }
    const user = await userRepository.byId(this.deps.db, session.user_id);
    if (!user || user.status !== 'active') {
      return undefined;
    }
    return {
      kind: 'user',
      id: user.id,
      orgId: user.org_id,
      username: user.username,
      roles: user.roles.filter(isRole),
      via,
      csrfToken: session.csrf_token,
    };
  }

  /**
   * Resolves an API key to its app. The hot path is one map lookup: the cache is keyed by the whole
   * presented key and filled only after the secret matched its stored hash, so a hit needs no hashing
   * and a wrong secret can never hit.
   */
  async apiKeyActor(raw: string): Promise<Actor | undefined> {
    const now = Date.now();
    let entry = this.deps.keyCache.get(raw, now);
    if (!entry) {
      const parsed = parseApiKey(raw);
      if (!parsed) {
        return undefined;
      }
      const row = await appRepository.keyForAuth(this.deps.db, parsed.keyId);
      if (
        !row ||
        row.revoked_at ||
        row.app_status !== 'active' ||
        sha256Hex(parsed.secret) !== row.secret_hash
      ) {
        return undefined;
      }
      entry = {
        expiresAt: row.expires_at ? row.expires_at.getTime() : null,
        actor: {
          kind: 'app',
          id: row.app_id,
          orgId: row.org_id,
          roles: row.roles.filter(isRole) as Role[],
          keyId: row.key_id,
          scopes: row.scopes,
          orgKind: isOrgKind(row.org_kind) ? row.org_kind : undefined,
        },
      };
      this.deps.keyCache.set(raw, entry, now);
      void appRepository.touchKey(this.deps.db, parsed.keyId, new Date(now)).catch(() => undefined);
    }
    return entry.expiresAt !== null && entry.expiresAt <= now ? undefined : entry.actor;
  }

  private async recordFailure(user: UserRow, reason: string, meta: ClientMeta): Promise<void> {
    const { maxFailures, lockMinutes } = this.deps.config.login;
    const lockUntil = new Date(Date.now() + lockMinutes * 60_000);
    await this.deps.db.transaction().execute(async (trx) => {
      const failures = await userRepository.recordFailure(trx, user.id, maxFailures, lockUntil);
      await this.deps.ledger.record(
        trx,
        { kind: 'anonymous' },
        {
          type: failures === maxFailures ? 'auth.locked' : 'auth.login.failed',
          subjectType: 'user',
          subjectId: user.id,
          orgId: user.org_id,
          data: { reason, failures, ip: meta.ip ?? null },
          requestId: meta.requestId ?? null,
        },
      );
    });
  }
}
