import type {
  ApiKeyCreateInput,
  ApiKeyDto,
  AppCreateInput,
  AppDto,
  AppUpdateInput,
} from '../contracts/identity.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Db, Executor } from '../platform/db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import type { Access } from './access.js';
import { type Actor, actorId } from './actor.js';
import { appRepository } from './app.repository.js';
import { toApiKeyDto, toAppDto } from './identity.dto.js';
import type { KeyCache } from './key-cache.js';
import { orgRepository } from './org.repository.js';
import { PERSON_ONLY, type Permission, ROLE_PERMISSIONS } from './permissions.js';
import { type BusinessRole, isAppRole } from './roles.js';
import { formatApiKey, newId, newKeyId, newSecret, sha256Hex } from './tokens.js';

const DEFAULT_KEY_DAYS = 365;

/** Apps (service accounts) of an organization and their API keys: hashed at rest, shown once. */
export class AppService {
  constructor(
    private readonly deps: { db: Db; access: Access; ledger: LedgerService; keyCache: KeyCache<unknown> },
  ) {}

  async list(actor: Actor, filter: { orgId?: string | undefined } = {}): Promise<AppDto[]> {
    await this.deps.access.require(actor, 'app.read');
    const rows = await appRepository.list(this.deps.db, filter.orgId ? [filter.orgId] : undefined);
    const allowed = await this.deps.access.check(
      actor,
      'app.read',
      rows.map((r) => r.id),
    );
    return rows.filter((r) => allowed.has(r.id)).map(toAppDto);
  }

  async get(actor: Actor, id: string): Promise<AppDto> {
    await this.deps.access.require(actor, 'app.read', [id]);
    return toAppDto(await this.mustExist(this.deps.db, id));
  }

  async create(actor: Actor, input: AppCreateInput): Promise<AppDto> {
    await this.deps.access.require(actor, 'app.create', [input.orgId]);
    const roles = this.checkRoles(input.roles ?? ['consumer']);
    return this.deps.db.transaction().execute(async (trx) => {
      if (!(await orgRepository.byId(trx, input.orgId))) {
        throw new ValidationError('ORG_NOT_FOUND', 'error.orgNotFound', {
          params: { ref: input.orgId },
          details: { field: 'orgId' },
        });
      }
      if ((await appRepository.list(trx, [input.orgId])).some((a) => a.name === input.name)) {
        throw new ConflictError('APP_NAME_TAKEN', 'error.appNameTaken', { params: { name: input.name } });
      }
      const row = await appRepository.insert(trx, {
        id: newId(),
        name: input.name,
        org_id: input.orgId,
        description: input.description ?? null,
        roles,
        status: 'active',
        created_by: actorId(actor),
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'app.created',
        subjectType: 'app',
        subjectId: row.id,
        orgId: row.org_id,
        data: { name: row.name, roles },
      });
      return toAppDto(row);
    });
  }

  async update(actor: Actor, id: string, patch: AppUpdateInput): Promise<AppDto> {
    await this.deps.access.require(actor, 'app.update', [id]);
    const roles = patch.roles ? this.checkRoles(patch.roles) : undefined;
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const before = await this.mustExist(trx, id);
      const updated = await appRepository.update(trx, id, { ...patch, ...(roles ? { roles } : {}) });
      await this.deps.ledger.record(trx, actor, {
        type: 'app.updated',
        subjectType: 'app',
        subjectId: id,
        orgId: before.org_id,
        data: { changes: patch },
      });
      return updated;
    });
    this.deps.keyCache.clear();
    return toAppDto(row);
  }

  async listKeys(actor: Actor, appId: string): Promise<ApiKeyDto[]> {
    await this.deps.access.require(actor, 'key.manage', [appId]);
    await this.mustExist(this.deps.db, appId);
    return (await appRepository.keysOf(this.deps.db, appId)).map(toApiKeyDto);
  }

  /** Issues a key; the secret is returned here once and never again. */
  async createKey(
    actor: Actor,
    appId: string,
    input: ApiKeyCreateInput,
  ): Promise<{ key: ApiKeyDto; secret: string }> {
    await this.deps.access.require(actor, 'key.manage', [appId]);
    return this.deps.db.transaction().execute(async (trx) => {
      const app = await this.mustExist(trx, appId);
      const allowed = permissionsOfRoles(app.roles as BusinessRole[]);
      const scopes = input.scopes ?? allowed;
      const outside = scopes.find((s) => !allowed.includes(s as Permission));
      if (outside !== undefined) {
        throw new ValidationError('KEY_SCOPE_INVALID', 'error.keyScopeInvalid', {
          params: { scope: outside },
          details: { field: 'scopes', allowed },
        });
      }
      const keyId = newKeyId();
      const secret = newSecret();
      const days = input.expiresInDays ?? DEFAULT_KEY_DAYS;
      const row = await appRepository.insertKey(trx, {
        id: keyId,
        app_id: appId,
        name: input.name,
        secret_hash: sha256Hex(secret),
        scopes: [...scopes].sort(),
        created_by: actorId(actor),
        expires_at: new Date(Date.now() + days * 86_400_000),
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'key.created',
        subjectType: 'app',
        subjectId: appId,
        orgId: app.org_id,
        data: { keyId, name: input.name, scopes: row.scopes, expiresAt: row.expires_at?.toISOString() },
      });
      return { key: toApiKeyDto(row), secret: formatApiKey(keyId, secret) };
    });
  }

  async revokeKey(actor: Actor, appId: string, keyId: string): Promise<ApiKeyDto> {
    await this.deps.access.require(actor, 'key.manage', [appId]);
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const app = await this.mustExist(trx, appId);
      const key = await appRepository.keyById(trx, keyId);
      if (!key || key.app_id !== appId) {
        throw new NotFoundError('KEY_NOT_FOUND', 'error.keyNotFound', { params: { ref: keyId } });
      }
      await appRepository.revokeKey(trx, keyId, new Date());
      await this.deps.ledger.record(trx, actor, {
        type: 'key.revoked',
        subjectType: 'app',
        subjectId: appId,
        orgId: app.org_id,
        data: { keyId },
      });
      return (await appRepository.keyById(trx, keyId)) ?? key;
    });
    // The cache is keyed by whole keys; revocations are rare, so drop it all rather than index it.
    this.deps.keyCache.clear();
    return toApiKeyDto(row);
  }

  private checkRoles(roles: readonly string[]): BusinessRole[] {
    const bad = roles.find((r) => !isAppRole(r));
    if (bad !== undefined) {
      throw new ValidationError('APP_ROLE_INVALID', 'error.appRoleInvalid', {
        params: { role: bad },
        details: { field: 'roles' },
      });
    }
    return [...(roles as BusinessRole[])].sort();
  }

  private async mustExist(db: Executor, id: string) {
    const row = await appRepository.byId(db, id);
    if (!row) {
      throw new NotFoundError('APP_NOT_FOUND', 'error.appNotFound', { params: { ref: id } });
    }
    return row;
  }
}

export function permissionsOfRoles(roles: readonly BusinessRole[]): Permission[] {
  const set = new Set<Permission>();
  for (const role of roles) {
    for (const p of Object.keys(ROLE_PERMISSIONS[role]) as Permission[]) {
      if (!PERSON_ONLY.has(p)) {
        set.add(p);
      }
    }
  }
  return [...set].sort();
}
