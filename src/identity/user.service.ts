import type { UserCreateInput, UserDto, UserUpdateInput } from '../contracts/identity.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Db, Executor } from '../platform/db/database.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.js';
import type { Access } from './access.js';
import { type Actor, actorId } from './actor.js';
import { toUserDto } from './identity.dto.js';
import { orgRepository } from './org.repository.js';
import { hashPassword } from './password.js';
import { passwordProblem } from './password-policy.js';
import { isRole, separationOfDutiesConflict } from './roles.js';
import { sessionRepository } from './session.repository.js';
import { newId } from './tokens.js';
import { userRepository } from './user.repository.js';

/** People: created by the system administrator, given roles by the security administrator (三权分立). */
export class UserService {
  constructor(private readonly deps: { db: Db; access: Access; ledger: LedgerService }) {}

  async list(actor: Actor, filter: { orgId?: string | undefined } = {}): Promise<UserDto[]> {
    await this.deps.access.require(actor, 'user.read');
    const rows = await userRepository.list(this.deps.db, filter.orgId ? { orgIds: [filter.orgId] } : {});
    const allowed = await this.deps.access.check(
      actor,
      'user.read',
      rows.map((r) => r.id),
    );
    return rows.filter((r) => allowed.has(r.id)).map((r) => toUserDto(r));
  }

  async get(actor: Actor, ref: string): Promise<UserDto> {
    const row = await userRepository.byRef(this.deps.db, ref);
    if (!row) {
      await this.deps.access.require(actor, 'user.read');
      throw new NotFoundError('USER_NOT_FOUND', 'error.userNotFound', { params: { ref } });
    }
    if (actorId(actor) !== row.id) {
      await this.deps.access.require(actor, 'user.read', [row.id]);
    }
    return this.dto(this.deps.db, row.id);
  }

  async create(actor: Actor, input: UserCreateInput): Promise<UserDto> {
    await this.deps.access.require(actor, 'user.create', [input.orgId]);
    const roles = input.roles ?? [];
    if (roles.length > 0) {
      await this.deps.access.require(actor, 'user.roles.assign');
    }
    this.checkRoles(roles);
    if (input.password !== undefined) {
      this.checkPassword(input.password, input.username);
    }
    const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
    const id = newId();
    await this.deps.db.transaction().execute(async (trx) => {
      if (!(await orgRepository.byId(trx, input.orgId))) {
        throw new ValidationError('ORG_NOT_FOUND', 'error.orgNotFound', {
          params: { ref: input.orgId },
          details: { field: 'orgId' },
        });
      }
      if (await userRepository.byUsername(trx, input.username)) {
        throw new ConflictError('USERNAME_TAKEN', 'error.usernameTaken', {
          params: { username: input.username },
        });
      }
      await userRepository.insert(trx, {
        id,
        username: input.username,
        display_name: input.displayName,
        org_id: input.orgId,
        email: input.email ?? null,
        password_hash: passwordHash,
        oidc_subject: null,
        status: 'active',
      });
      await userRepository.setRoles(trx, id, roles, actorId(actor));
      await this.deps.ledger.record(trx, actor, {
        type: 'user.created',
        subjectType: 'user',
        subjectId: id,
        orgId: input.orgId,
        data: { username: input.username, roles },
      });
    });
    return this.dto(this.deps.db, id);
  }

  async update(actor: Actor, id: string, patch: UserUpdateInput): Promise<UserDto> {
    await this.deps.access.require(actor, 'user.update', [id]);
    await this.deps.db.transaction().execute(async (trx) => {
      await this.mustExist(trx, id);
      if (patch.orgId && !(await orgRepository.byId(trx, patch.orgId))) {
        throw new ValidationError('ORG_NOT_FOUND', 'error.orgNotFound', {
          params: { ref: patch.orgId },
          details: { field: 'orgId' },
        });
      }
      await userRepository.update(trx, id, {
        ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
        ...(patch.orgId !== undefined ? { org_id: patch.orgId } : {}),
        ...(patch.email !== undefined ? { email: patch.email } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
      });
      if (patch.status === 'disabled') {
        await sessionRepository.revokeAllOf(trx, id, new Date());
      }
      await this.deps.ledger.record(trx, actor, {
        type: 'user.updated',
        subjectType: 'user',
        subjectId: id,
        data: { changes: patch },
      });
    });
    return this.dto(this.deps.db, id);
  }

  async setRoles(actor: Actor, id: string, roles: string[]): Promise<UserDto> {
    await this.deps.access.require(actor, 'user.roles.assign', [id]);
    if (actorId(actor) === id) {
      throw new ForbiddenError('ROLES_SELF_ASSIGN', 'error.rolesSelfAssign');
    }
    this.checkRoles(roles);
    await this.deps.db.transaction().execute(async (trx) => {
      const user = await this.mustExist(trx, id);
      const before = await userRepository.rolesOf(trx, id);
      await userRepository.setRoles(trx, id, roles, actorId(actor));
      await this.deps.ledger.record(trx, actor, {
        type: 'user.roles.changed',
        subjectType: 'user',
        subjectId: id,
        orgId: user.org_id,
        data: { before, after: [...roles].sort() },
      });
    });
    return this.dto(this.deps.db, id);
  }

  async resetPassword(actor: Actor, id: string, password: string): Promise<void> {
    await this.deps.access.require(actor, 'user.credentials.manage', [id]);
    const user = await this.mustExist(this.deps.db, id);
    this.checkPassword(password, user.username);
    const hash = await hashPassword(password);
    await this.deps.db.transaction().execute(async (trx) => {
      await userRepository.update(trx, id, { password_hash: hash, failed_logins: 0, locked_until: null });
      await sessionRepository.revokeAllOf(trx, id, new Date());
      await this.deps.ledger.record(trx, actor, {
        type: 'user.password.reset',
        subjectType: 'user',
        subjectId: id,
      });
    });
  }

  async unlock(actor: Actor, id: string): Promise<UserDto> {
    await this.deps.access.require(actor, 'user.credentials.manage', [id]);
    await this.deps.db.transaction().execute(async (trx) => {
      await this.mustExist(trx, id);
      await userRepository.update(trx, id, { failed_logins: 0, locked_until: null });
      await this.deps.ledger.record(trx, actor, {
        type: 'user.unlocked',
        subjectType: 'user',
        subjectId: id,
      });
    });
    return this.dto(this.deps.db, id);
  }

  private checkRoles(roles: readonly string[]): void {
    const unknown = roles.find((r) => !isRole(r));
    if (unknown) {
      throw new ValidationError('ROLE_UNKNOWN', 'error.roleUnknown', { params: { role: unknown } });
    }
    const conflict = separationOfDutiesConflict(roles);
    if (conflict) {
      // One message per pair, so that zh/en name the roles (系统管理员…) rather than their codes.
      throw new ValidationError(
        'ROLES_SEPARATION_OF_DUTIES',
        `error.rolesSeparation.${conflict[0]}.${conflict[1]}`,
        {
          params: { a: conflict[0], b: conflict[1] },
          details: { field: 'roles', conflict },
        },
      );
    }
  }

  private checkPassword(password: string, username: string): void {
    const problem = passwordProblem(password, username);
    if (problem) {
      throw new ValidationError('PASSWORD_WEAK', `error.password.${problem}`, {
        details: { field: 'password' },
      });
    }
  }

  private async mustExist(db: Executor, id: string) {
    const row = await userRepository.byId(db, id);
    if (!row) {
      throw new NotFoundError('USER_NOT_FOUND', 'error.userNotFound', { params: { ref: id } });
    }
    return row;
  }

  private async dto(db: Executor, id: string): Promise<UserDto> {
    return toUserDto(await this.mustExist(db, id));
  }
}
