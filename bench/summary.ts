import type { StorageKind } from '../src/platform/db/database.js';
import type { MachineInfo } from './machine.js';
import type { Metrics } from './results.js';
import { meets, TARGETS } from './targets.js';

function targetNote(suite: string, metric: string, value: number): string {
  const t = TARGETS.find((x) => x.suite === suite && x.metric === metric);
  if (!t) {
    return '';
  }
  return `  ${meets(t, value) ? 'ok  ' : 'MISS'} target ${t.op} ${t.value} (${t.why})`;
}

/** The human-readable report of one run. */
export function formatSummary(
  machine: MachineInfo,
  kind: StorageKind,
  measured: Record<string, Metrics>,
  failed: Record<string, string>,
  loadAtStart: number,
): string {
  const lines = [
    `govhub bench — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
    `storage: ${kind} — ${machine.postgres}`,
    // Other work on the machine moves req/s a lot on two cores; the load average says how much there was.
    `load average (1 min) before the run: ${loadAtStart.toFixed(2)}`,
    '',
  ];
  for (const [suite, metrics] of Object.entries(measured)) {
    lines.push(`${suite}`);
    for (const [metric, value] of Object.entries(metrics)) {
      lines.push(`  ${metric.padEnd(24)} ${String(value).padStart(10)}${targetNote(suite, metric, value)}`);
    }
  }
  for (const [suite, error] of Object.entries(failed)) {
    lines.push(`${suite}: FAILED — ${error}`);
  }
  return `${lines.join('\n')}\n`;
}
