import type { ItemDto, ResourceCreateInput } from '../contracts/catalog.js';
import {
  CATEGORIES,
  CATEGORY_ITEMS,
  type Code,
  type CodeRules,
  DATA_TYPES,
  FORMAT_CATEGORIES,
  FORMAT_TYPES,
  LEVELS,
  lookup,
  MASKINGS,
  OPEN_TYPES,
  PII_KINDS,
  SHARE_MODE_TYPES,
  SHARE_MODES,
  SHARE_TYPES,
  UPDATE_CYCLES,
} from './code-lists.js';

/** One wrong field: its path (e.g. `items[2].dataType`), a reason code and the value given. */
export interface FieldError {
  field: string;
  reason: 'required' | 'invalid' | 'notInCodeList' | 'duplicate' | 'width' | 'basisRequired';
  value?: unknown;
  allowed?: string[];
}

/** The normalized fields of a resource, as stored (code-list values are their keys). */
export interface ResourceFields {
  name: string;
  classification: { category: string; item: string; catalog: string; detail?: string };
  abstract: string;
  format: { category: string; type: string };
  items: ItemDto[];
  shareType: 'unconditional' | 'conditional' | 'none';
  shareCondition: string | null;
  shareMode: string;
  shareModeType: string | null;
  openType: 'unconditional' | 'conditional' | 'none';
  openCondition: string | null;
  updateCycle: string;
  level: 'core' | 'important' | 'general';
  relatedCodes: string[];
  extensions: Record<string, string>;
}

const blank = (s: unknown) => typeof s !== 'string' || s.trim() === '';

/**
 * Checks every element of a resource against the GB/T 21063 code lists and the sharing rules, and
 * returns the normalized fields or every error found (never just the first).
 */
export function validateResource(
  input: ResourceCreateInput,
  rules: CodeRules,
): { ok: true; value: ResourceFields } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const pick = (field: string, list: readonly Code[], raw: unknown, required = true): string | null => {
    if (blank(raw)) {
      if (required) {
        errors.push({ field, reason: 'required' });
      }
      return null;
    }
    const hit = lookup(list, String(raw));
    if (!hit) {
      errors.push({ field, reason: 'notInCodeList', value: raw, allowed: list.map((x) => x.value) });
      return null;
    }
    return hit.value;
  };
  const text = (field: string, raw: unknown): string => {
    if (blank(raw)) {
      errors.push({ field, reason: 'required' });
      return '';
    }
    return String(raw).trim();
  };

  const name = text('name', input.name);
  const abstract = text('abstract', input.abstract);

  // 分类: 类 / 项 / 目 / 细目 with configurable widths.
  const cl = input.classification ?? { category: '', item: '', catalog: '' };
  const category = pick('classification.category', CATEGORIES, cl.category);
  const [wItem, wCatalog] = [rules.widths[1], rules.widths[2]];
  const digits = (field: string, raw: string | undefined, width: number | null) => {
    if (blank(raw)) {
      if (width !== null) {
        errors.push({ field, reason: 'required' });
      }
      return;
    }
    if (!/^[0-9]+$/.test(String(raw)) || (width !== null && String(raw).length !== width)) {
      errors.push({ field, reason: 'width', value: raw, ...(width ? { allowed: [`${width} digits`] } : {}) });
    }
  };
  digits('classification.item', cl.item, wItem);
  digits('classification.catalog', cl.catalog, wCatalog);
  digits('classification.detail', cl.detail, null);
  if ((category === '1' || category === '2') && !blank(cl.item)) {
    const items = CATEGORY_ITEMS[category];
    if (!items.some((x) => x.value === cl.item)) {
      errors.push({
        field: 'classification.item',
        reason: 'notInCodeList',
        value: cl.item,
        allowed: items.map((x) => x.value),
      });
    }
  }
  if (input.seq !== undefined && !/^[0-9]{1,12}$/.test(input.seq)) {
    errors.push({ field: 'seq', reason: 'invalid', value: input.seq });
  }

  // 格式
  const formatCategory = pick('format.category', FORMAT_CATEGORIES, input.format?.category);
  let formatType = '';
  if (blank(input.format?.type)) {
    errors.push({ field: 'format.type', reason: 'required' });
  } else if (formatCategory) {
    formatType = String(input.format.type).trim().toLowerCase();
    const allowed = FORMAT_TYPES[formatCategory as keyof typeof FORMAT_TYPES] ?? [];
    if (!allowed.includes(formatType)) {
      errors.push({
        field: 'format.type',
        reason: 'notInCodeList',
        value: input.format.type,
        allowed: [...allowed],
      });
    }
  }

  // 共享属性 / 开放属性
  const shareType = pick('shareType', SHARE_TYPES, input.shareType) as ResourceFields['shareType'] | null;
  const shareCondition = blank(input.shareCondition) ? null : String(input.shareCondition).trim();
  if ((shareType === 'conditional' || shareType === 'none') && shareCondition === null) {
    // 有条件 and 不予共享 need a legal or policy basis (国发〔2016〕51号).
    errors.push({ field: 'shareCondition', reason: 'basisRequired' });
  }
  const shareMode =
    shareType === 'none'
      ? (pick('shareMode', SHARE_MODES, input.shareMode, false) ?? 'platform')
      : (pick('shareMode', SHARE_MODES, input.shareMode ?? 'platform') ?? 'platform');
  const shareModeType = pick('shareModeType', SHARE_MODE_TYPES, input.shareModeType, false);
  const openType = pick('openType', OPEN_TYPES, input.openType) as ResourceFields['openType'] | null;
  const openCondition = blank(input.openCondition) ? null : String(input.openCondition).trim();
  if (openType === 'conditional' && openCondition === null) {
    errors.push({ field: 'openCondition', reason: 'required' });
  }
  if (shareType === 'none' && openType !== null && openType !== 'none') {
    errors.push({ field: 'openType', reason: 'invalid', value: input.openType, allowed: ['none'] });
  }
  const updateCycle = pick('updateCycle', UPDATE_CYCLES, input.updateCycle);
  const level = (pick('level', LEVELS, input.level ?? 'general') ?? 'general') as ResourceFields['level'];

  // 信息项
  const items: ItemDto[] = [];
  if (!Array.isArray(input.items) || input.items.length === 0) {
    errors.push({ field: 'items', reason: 'required' });
  } else {
    const seen = new Set<string>();
    input.items.forEach((it, i) => {
      const p = `items[${i}]`;
      const itemName = blank(it.name) ? '' : it.name.trim();
      if (!itemName) {
        errors.push({ field: `${p}.name`, reason: 'required' });
      } else if (seen.has(itemName)) {
        errors.push({ field: `${p}.name`, reason: 'duplicate', value: itemName });
      }
      seen.add(itemName);
      const dataType = pick(`${p}.dataType`, DATA_TYPES, it.dataType);
      const length = it.length ?? null;
      if (length !== null && (!Number.isInteger(length) || length <= 0 || length > 1_000_000)) {
        errors.push({ field: `${p}.length`, reason: 'invalid', value: length });
      }
      const itemLevel = pick(`${p}.level`, LEVELS, it.level ?? level) ?? level;
      const piiKind = blank(it.piiKind) ? null : String(it.piiKind);
      if (piiKind !== null && !(PII_KINDS as readonly string[]).includes(piiKind)) {
        errors.push({
          field: `${p}.piiKind`,
          reason: 'notInCodeList',
          value: piiKind,
          allowed: [...PII_KINDS],
        });
      }
      const masking = blank(it.masking) ? null : String(it.masking);
      if (masking !== null && !(MASKINGS as readonly string[]).includes(masking)) {
        errors.push({
          field: `${p}.masking`,
          reason: 'notInCodeList',
          value: masking,
          allowed: [...MASKINGS],
        });
      }
      const itemShare = (pick(`${p}.shareType`, SHARE_TYPES, it.shareType ?? shareType ?? 'unconditional') ??
        'unconditional') as ItemDto['shareType'];
      const itemOpen = (pick(`${p}.openType`, OPEN_TYPES, it.openType ?? openType ?? 'none') ??
        'none') as ItemDto['openType'];
      const notSharedReason = blank(it.notSharedReason) ? null : String(it.notSharedReason).trim();
      if (itemShare === 'none' && notSharedReason === null && !(shareType === 'none' && shareCondition)) {
        errors.push({ field: `${p}.notSharedReason`, reason: 'basisRequired' });
      }
      items.push({
        name: itemName,
        dataType: (dataType ?? 'C') as ItemDto['dataType'],
        length,
        description: blank(it.description) ? null : String(it.description),
        level: itemLevel as ItemDto['level'],
        piiKind,
        masking,
        shareType: itemShare,
        openType: itemOpen,
        notSharedReason: itemShare === 'none' ? (notSharedReason ?? shareCondition) : notSharedReason,
        sourceOrgId: it.sourceOrgId ?? null,
      });
    });
  }

  const relatedCodes = input.relatedCodes ?? [];
  relatedCodes.forEach((code, i) => {
    if (!/^[0-9]+\/[0-9]+$/.test(code)) {
      errors.push({ field: `relatedCodes[${i}]`, reason: 'invalid', value: code });
    }
  });

  if (errors.length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      name,
      classification: {
        category: category as string,
        item: cl.item,
        catalog: cl.catalog,
        ...(blank(cl.detail) ? {} : { detail: String(cl.detail) }),
      },
      abstract,
      format: { category: formatCategory as string, type: formatType },
      items,
      shareType: shareType as ResourceFields['shareType'],
      shareCondition,
      shareMode,
      shareModeType,
      openType: openType as ResourceFields['openType'],
      openCondition,
      updateCycle: updateCycle as string,
      level,
      relatedCodes,
      extensions: input.extensions ?? {},
    },
  };
}

/** 前段码 (类+项+目+细目) of a classification. */
export function prefixCode(c: ResourceFields['classification']): string {
  return `${c.category}${c.item}${c.catalog}${c.detail ?? ''}`;
}

/** 信息资源代码 = 前段码 "/" zero-padded 后段码. */
export function resourceCode(
  c: ResourceFields['classification'],
  seq: number | string,
  rules: CodeRules,
): string {
  return `${prefixCode(c)}/${String(seq).padStart(rules.seqWidth, '0')}`;
}
