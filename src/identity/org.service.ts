import type { OrgCreateInput, OrgDto, OrgUpdateInput } from '../contracts/identity.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Db } from '../platform/db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import type { Access } from './access.js';
import type { Actor } from './actor.js';
import { toOrgDto } from './identity.dto.js';
import { orgRepository } from './org.repository.js';
import { newId } from './tokens.js';

/** Organizations as a tree: regions and the bodies in them (data bureau, departments, operators, auditors). */
export class OrgService {
  constructor(private readonly deps: { db: Db; access: Access; ledger: LedgerService }) {}

  async list(actor: Actor): Promise<OrgDto[]> {
    await this.deps.access.require(actor, 'org.read');
    return (await orgRepository.list(this.deps.db)).map(toOrgDto);
  }

  async get(actor: Actor, ref: string): Promise<OrgDto> {
    await this.deps.access.require(actor, 'org.read');
    const row = await orgRepository.byRef(this.deps.db, ref);
    if (!row) {
      throw new NotFoundError('ORG_NOT_FOUND', 'error.orgNotFound', { params: { ref } });
    }
    return toOrgDto(row);
  }

  async create(actor: Actor, input: OrgCreateInput): Promise<OrgDto> {
    await this.deps.access.require(actor, 'org.create');
    return this.deps.db.transaction().execute(async (trx) => {
      if (await orgRepository.byCode(trx, input.code)) {
        throw new ConflictError('ORG_CODE_TAKEN', 'error.orgCodeTaken', { params: { code: input.code } });
      }
      if (input.parentId && !(await orgRepository.byId(trx, input.parentId))) {
        throw new ValidationError('ORG_PARENT_NOT_FOUND', 'error.orgParentNotFound', {
          params: { ref: input.parentId },
          details: { field: 'parentId' },
        });
      }
      const row = await orgRepository.insert(trx, {
        id: newId(),
        code: input.code,
        name: input.name,
        name_en: input.nameEn ?? null,
        kind: input.kind,
        parent_id: input.parentId ?? null,
        region_code: input.regionCode ?? null,
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'org.created',
        subjectType: 'org',
        subjectId: row.id,
        orgId: row.id,
        data: { code: row.code, name: row.name, kind: row.kind, parentId: row.parent_id },
      });
      return toOrgDto(row);
    });
  }

  async update(actor: Actor, id: string, patch: OrgUpdateInput): Promise<OrgDto> {
    await this.deps.access.require(actor, 'org.update', [id]);
    return this.deps.db.transaction().execute(async (trx) => {
      if (!(await orgRepository.byId(trx, id))) {
        throw new NotFoundError('ORG_NOT_FOUND', 'error.orgNotFound', { params: { ref: id } });
      }
      if (patch.parentId) {
        const ancestry = await orgRepository.ancestry(trx, patch.parentId);
        if (ancestry.length === 0) {
          throw new ValidationError('ORG_PARENT_NOT_FOUND', 'error.orgParentNotFound', {
            params: { ref: patch.parentId },
            details: { field: 'parentId' },
          });
        }
        if (ancestry.includes(id)) {
          throw new ValidationError('ORG_CYCLE', 'error.orgCycle', { details: { field: 'parentId' } });
        }
      }
      const row = await orgRepository.update(trx, id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.nameEn !== undefined ? { name_en: patch.nameEn } : {}),
        ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
        ...(patch.parentId !== undefined ? { parent_id: patch.parentId } : {}),
        ...(patch.regionCode !== undefined ? { region_code: patch.regionCode } : {}),
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'org.updated',
        subjectType: 'org',
        subjectId: id,
        orgId: id,
        data: { changes: patch },
      });
      return toOrgDto(row);
    });
  }
}
