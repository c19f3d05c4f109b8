import type { MessageKey } from '../../i18n';
import { t } from '../../i18n';
import type { paths } from '../../api/schema';

export type Resource =
  paths['/api/v1/catalog/resources/{id}']['get']['responses'][200]['content']['application/json'];
export type SearchResult =
  paths['/api/v1/catalog/search']['get']['responses'][200]['content']['application/json'];
export type Summary = SearchResult['items'][number];
export type Item = Resource['items'][number];

/** Label of a code the UI knows (levels, share types, statuses…), the raw code otherwise. */
export function label(
  prefix: 'level' | 'share' | 'open' | 'status' | 'action' | 'dt' | 'category' | 'cycle' | 'format',
  code: string | null | undefined,
): string {
  if (!code) {
    return '—';
  }
  const key = `${prefix}.${code}` as MessageKey;
  const text = t(key);
  return text === undefined ? code : text;
}

const FACET_PREFIX = {
  level: 'level',
  shareType: 'share',
  openType: 'open',
  category: 'category',
  updateCycle: 'cycle',
  format: 'format',
} as const;

/** A facet bucket's label: the provider's name from the API, the UI's own label for code lists. */
export function facetLabel(facet: string, bucket: { value: string; label: string }): string {
  const prefix = FACET_PREFIX[facet as keyof typeof FACET_PREFIX];
  return prefix ? label(prefix, bucket.value) : bucket.label || bucket.value;
}

export const FACETS = [
  'provider',
  'category',
  'shareType',
  'openType',
  'format',
  'updateCycle',
  'level',
] as const;
export type Facet = (typeof FACETS)[number];
