import { randomUUID } from 'node:crypto';
import type { Actor } from '../../src/identity/actor.js';
import { NotFoundError } from '../../src/platform/errors.js';
import type { CatalogResource, ItemDataType, ResourceCatalog } from '../../src/datasets/resource-port.js';

/** Test-support catalog keeping resources in a Map (replaced by the real CatalogService at merge). */
export class MapResourceCatalog implements ResourceCatalog {
  readonly resources = new Map<string, CatalogResource>();
  private seq = 0;

  getResource(_actor: Actor, ref: string): Promise<CatalogResource> {
    const r = this.resources.get(ref) ?? [...this.resources.values()].find((x) => x.code === ref);
    if (!r) {
      return Promise.reject(
        new NotFoundError('RESOURCE_NOT_FOUND', 'error.resourceNotFound', { params: { ref } }),
      );
    }
    return Promise.resolve(r);
  }

  createResource(
    _actor: Actor,
    input: Parameters<ResourceCatalog['createResource']>[1],
  ): Promise<{ id: string; code: string }> {
    const id = randomUUID();
    const code = `R${String(++this.seq).padStart(6, '0')}`;
    this.resources.set(id, {
      id,
      code,
      name: input.name,
      providerOrgId: input.providerOrgId,
      status: 'draft',
      items: input.items.map((i) => ({
        name: i.name,
        dataType: i.dataType as ItemDataType,
        ...(i.length !== undefined ? { length: i.length } : {}),
        level: i.level,
        piiKind: i.piiKind,
      })),
    });
    return Promise.resolve({ id, code });
  }
}
