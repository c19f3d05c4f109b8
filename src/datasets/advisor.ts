/**
 * The hosting advisor's rule (pure): a linked dataset read often and by many consumers (spillover)
 * loads the department's own system and is better hosted (copied and synced); one read rarely stays
 * linked (read in place, always fresh, nothing copied).
 */
export interface AccessStats {
  /** Reads in the window. */
  reads: number;
  /** Distinct consumers (apps or users) who read it. */
  consumers: number;
  rows: number;
  bytes: number;
  /** Window length in days. */
  days: number;
}

export interface Advice {
  recommendation: 'host' | 'keep_linked' | 'already_hosted';
  score: number;
  reason: { zh: string; en: string };
}

/** Score at or above which hosting is advised: e.g. 20 reads a day by 5 consumers. */
export const HOST_SCORE = 100;
/** Or this many bytes a day served from the source. */
export const HOST_BYTES_PER_DAY = 100 * 1024 * 1024;

export function advise(kind: 'hosted' | 'linked', s: AccessStats): Advice {
  const perDay = s.reads / Math.max(1, s.days);
  const score = Math.round(perDay * Math.max(1, s.consumers) * 100) / 100;
  const bytesPerDay = s.bytes / Math.max(1, s.days);
  const facts = {
    zh: `近 ${s.days} 天读取 ${s.reads} 次（日均 ${perDay.toFixed(1)} 次），${s.consumers} 个使用方，传输 ${fmtBytes(s.bytes)}`,
    en: `${s.reads} reads in the last ${s.days} days (${perDay.toFixed(1)} a day) by ${s.consumers} consumer${s.consumers === 1 ? '' : 's'}, ${fmtBytes(s.bytes)} served`,
  };
  if (kind === 'hosted') {
    return {
      recommendation: 'already_hosted',
      score,
      reason: { zh: `已汇聚存储；${facts.zh}`, en: `already hosted; ${facts.en}` },
    };
  }
  if (score >= HOST_SCORE || bytesPerDay >= HOST_BYTES_PER_DAY) {
    return {
      recommendation: 'host',
      score,
      reason: {
        zh: `${facts.zh}；使用频度×溢出面 = ${score} ≥ ${HOST_SCORE}${bytesPerDay >= HOST_BYTES_PER_DAY ? '，日传输量大' : ''}，建议汇聚存储（复制并定期同步），减轻部门业务库压力`,
        en: `${facts.en}; frequency × spillover = ${score} ≥ ${HOST_SCORE}${bytesPerDay >= HOST_BYTES_PER_DAY ? ', heavy daily transfer' : ''}: host it (copy and sync) to take the load off the department's system`,
      },
    };
  }
  return {
    recommendation: 'keep_linked',
    score,
    reason: {
      zh: `${facts.zh}；使用频度×溢出面 = ${score} < ${HOST_SCORE}，保持挂接即可（按需读取、数据最新、无需复制）`,
      en: `${facts.en}; frequency × spillover = ${score} < ${HOST_SCORE}: keep it linked (read in place, always fresh, nothing copied)`,
    },
  };
}

function fmtBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(1)} MiB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${n} B`;
}
