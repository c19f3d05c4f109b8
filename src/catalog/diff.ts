import type { ChangeDto, ItemDto } from '../contracts/catalog.js';

/** Fields compared between two versions of a resource (bookkeeping fields are left out). */
const FIELDS = [
  'name',
  'code',
  'classification',
  'providerOrgId',
  'abstract',
  'format',
  'shareType',
  'shareCondition',
  'shareMode',
  'shareModeType',
  'openType',
  'openCondition',
  'updateCycle',
  'level',
  'relatedCodes',
  'extensions',
] as const;

/** Key-order-insensitive JSON (jsonb reorders object keys). */
function canon(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map(canon).join(',')}]`;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}
const same = (a: unknown, b: unknown) => canon(a) === canon(b);

/**
 * What changed from one published version to the next (pure): top-level fields, then items by name
 * (`items.<name>` added, removed, or with the attributes that changed).
 */
export function diffResources(
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
): ChangeDto[] {
  const changes: ChangeDto[] = [];
  for (const f of FIELDS) {
    const a = before ? (before[f] ?? null) : null;
    const b = after[f] ?? null;
    if (!same(a, b)) {
      changes.push({ field: f, before: a, after: b });
    }
  }
  const oldItems = new Map(((before?.items as ItemDto[] | undefined) ?? []).map((i) => [i.name, i]));
  const newItems = new Map(((after.items as ItemDto[] | undefined) ?? []).map((i) => [i.name, i]));
  for (const [name, item] of newItems) {
    const old = oldItems.get(name);
    if (!old) {
      changes.push({ field: `items.${name}`, before: null, after: item });
    } else if (!same(old, item)) {
      const keys = (Object.keys({ ...old, ...item }) as Array<keyof ItemDto>).filter(
        (k) => !same(old[k], item[k]),
      );
      changes.push({
        field: `items.${name}`,
        before: Object.fromEntries(keys.map((k) => [k, old[k] ?? null])),
        after: Object.fromEntries(keys.map((k) => [k, item[k] ?? null])),
      });
    }
  }
  for (const [name, item] of oldItems) {
    if (!newItems.has(name)) {
      changes.push({ field: `items.${name}`, before: item, after: null });
    }
  }
  return changes;
}
