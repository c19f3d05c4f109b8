/**
 * The datasets' view of the catalog (resource-port.ts) implemented by the catalog's service — the one
 * place the two vocabularies meet: the catalog names a resident ID `id_number` (its PII code list), the
 * detectors here `resident_id`.
 */
import type { CatalogService } from '../catalog/catalog.service.js';
import type { Actor } from '../identity/actor.js';
import type { CatalogResource, ItemDataType, ResourceCatalog } from './resource-port.js';

const TO_CATALOG: Record<string, string> = { resident_id: 'id_number' };
const FROM_CATALOG: Record<string, string> = { id_number: 'resident_id' };
const PII_CATALOG_KINDS = new Set(['name', 'id_number', 'mobile', 'address', 'bank_card', 'email', 'uscc']);

export class CatalogResources implements ResourceCatalog {
  constructor(private readonly catalog: CatalogService) {}

  async getResource(actor: Actor, ref: string): Promise<CatalogResource> {
    const r = await this.catalog.getResource(actor, ref);
    return {
      id: r.id,
      code: r.code,
      name: r.name,
      providerOrgId: r.providerOrgId,
      status: r.status,
      items: r.items.map((i) => ({
        name: i.name,
        dataType: i.dataType as ItemDataType,
        ...(i.length ? { length: i.length } : {}),
        level: i.level,
        piiKind: i.piiKind ? (FROM_CATALOG[i.piiKind] ?? i.piiKind) : null,
      })),
    };
  }

  /** A draft resource proposed from a file or a source table; the editor completes it before review. */
  async createResource(
    actor: Actor,
    input: Parameters<ResourceCatalog['createResource']>[1],
  ): Promise<{ id: string; code: string }> {
    const created = await this.catalog.createResource(actor, {
      name: input.name,
      providerOrgId: input.providerOrgId,
      classification: { category: '3', item: '99', catalog: '999' },
      abstract: `${input.name}（由导入数据推断生成的草稿，请编目员补充摘要与属性后提交审核）`,
      format: { category: 'database', type: 'postgresql' },
      items: input.items.map((i) => {
        const kind = i.piiKind ? (TO_CATALOG[i.piiKind] ?? i.piiKind) : null;
        const piiKind = kind && PII_CATALOG_KINDS.has(kind) ? kind : null;
        return {
          name: i.name,
          dataType: i.dataType,
          ...(i.length !== undefined ? { length: i.length } : {}),
          ...(i.description !== undefined ? { description: i.description } : {}),
          level: i.level,
          piiKind,
          masking: piiKind ? 'partial' : null,
          shareType: 'conditional',
          openType: 'none',
        };
      }),
      shareType: 'conditional',
      shareCondition: '待编目员确认共享条件',
      openType: 'none',
      updateCycle: 'irregular',
    });
    return { id: created.id, code: created.code };
  }
}
