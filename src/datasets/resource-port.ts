/**
 * The narrow view of the catalog that datasets need. The catalog capability implements it (wired in
 * container.ts); until then `UnmountedResourceCatalog` stands in and says so clearly.
 */
import type { Actor } from '../identity/actor.js';
import { AppError } from '../platform/errors.js';

export type ItemDataType = 'C' | 'N' | 'Y' | 'D' | 'T' | 'L' | 'M' | 'G' | 'B' | 'I' | 'F';

export interface CatalogResource {
  id: string;
  code: string;
  name: string;
  providerOrgId: string;
  status: string;
  items: Array<{
    name: string;
    dataType: ItemDataType;
    length?: number;
    level: 'core' | 'important' | 'general';
    piiKind: string | null;
  }>;
}

export interface ResourceCatalog {
  getResource(actor: Actor, ref: string /* id or code */): Promise<CatalogResource>;
  createResource(
    actor: Actor,
    input: {
      name: string;
      providerOrgId: string;
      items: Array<{
        name: string;
        dataType: string;
        length?: number;
        description?: string;
        level: 'core' | 'important' | 'general';
        piiKind: string | null;
      }>;
    },
  ): Promise<{ id: string; code: string }>;
}

/** Stand-in until the catalog is merged: every call fails with a clear 503. */
export class UnmountedResourceCatalog implements ResourceCatalog {
  getResource(): Promise<CatalogResource> {
    return Promise.reject(new AppError(503, 'CATALOG_UNAVAILABLE', 'error.catalogUnavailable'));
  }

  createResource(): Promise<{ id: string; code: string }> {
    return Promise.reject(new AppError(503, 'CATALOG_UNAVAILABLE', 'error.catalogUnavailable'));
  }
}
