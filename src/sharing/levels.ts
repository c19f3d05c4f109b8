/**
 * Data classification levels (数据分级, 数据安全法 第二十一条; GB/T 43697-2024): 核心 > 重要 > 一般.
 * Pure: no I/O. Derived, joined or aggregated data takes the highest level of its inputs (就高从严,
 * GB/T 43697 Annex I) unless a reviewer downgrades it with a recorded reason.
 */
export const DATA_LEVELS = ['general', 'important', 'core'] as const;
export type DataLevel = (typeof DATA_LEVELS)[number];

export const DATA_LEVEL_LABEL: Record<DataLevel, { zh: string; en: string }> = {
  core: { zh: '核心', en: 'core' },
  important: { zh: '重要', en: 'important' },
  general: { zh: '一般', en: 'general' },
};

const RANK: Record<DataLevel, number> = { general: 0, important: 1, core: 2 };

/** Accepts the code (`core`) or the Chinese label (`核心`); returns undefined for anything else. */
export function parseDataLevel(value: string): DataLevel | undefined {
  const v = value.trim();
  for (const level of DATA_LEVELS) {
    if (v === level || v === DATA_LEVEL_LABEL[level].zh) {
      return level;
    }
  }
  return undefined;
}

export function compareLevels(a: DataLevel, b: DataLevel): number {
  return RANK[a] - RANK[b];
}

/** 就高从严: the highest of the given levels. An empty list has no level; the caller must decide. */
export function highestLevel(levels: readonly DataLevel[]): DataLevel | undefined {
  let best: DataLevel | undefined;
  for (const l of levels) {
    if (best === undefined || RANK[l] > RANK[best]) {
      best = l;
    }
  }
  return best;
}

/** A reviewer's recorded decision to grade derived data lower than its inputs. */
export interface LevelDowngrade {
  to: DataLevel;
  reason: string;
}

/**
 * The level of an item derived from `sources` (its own declared level counts as one source).
 * A downgrade is honoured only with a non-empty reason and never below what is declared for the item itself;
 * a downgrade from 核心 is refused (核心 data is never re-graded by a sharing reviewer).
 */
export function derivedLevel(
  own: DataLevel,
  sources: readonly DataLevel[],
  downgrade?: LevelDowngrade,
): { level: DataLevel; downgraded: boolean } {
  const max = highestLevel([own, ...sources]) ?? own;
  if (
    downgrade &&
    downgrade.reason.trim() !== '' &&
    max !== 'core' &&
    compareLevels(downgrade.to, max) < 0 &&
    compareLevels(downgrade.to, own) >= 0
  ) {
    return { level: downgrade.to, downgraded: true };
  }
  return { level: max, downgraded: false };
}

/** An item as the masking compiler sees it: its declared level and the items it is computed from, if any. */
export interface ItemLevelSpec {
  name: string;
  level: DataLevel;
  derivedFrom?: readonly string[];
  downgrade?: LevelDowngrade;
}

/**
 * Effective level of every item, following `derivedFrom` transitively (就高从严). Unknown sources count as
 * 核心 — an item computed from something we cannot see is treated as strictly as possible. Cycles are
 * resolved by taking the highest level found on the cycle.
 */
export function effectiveLevels(items: readonly ItemLevelSpec[]): Map<string, DataLevel> {
  const byName = new Map(items.map((i) => [i.name, i]));
  const out = new Map<string, DataLevel>();
  const visiting = new Set<string>();
  const resolve = (name: string): DataLevel => {
    const done = out.get(name);
    if (done) {
      return done;
    }
    const spec = byName.get(name);
    if (!spec) {
      return 'core';
    }
    if (visiting.has(name)) {
      return spec.level;
    }
    visiting.add(name);
    const sources = (spec.derivedFrom ?? []).map(resolve);
    visiting.delete(name);
    const { level } = derivedLevel(spec.level, sources, spec.downgrade);
    out.set(name, level);
    return level;
  };
  for (const i of items) {
    resolve(i.name);
  }
  return out;
}
