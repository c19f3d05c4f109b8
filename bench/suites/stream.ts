/**
 * Bench suite `stream`: NDJSON through the whole enforcement pipeline (grant decision, masking of 4 items —
 * ID number, name, mobile partial, birth date → year —, grant status read before every 1,000-row chunk, access event)
 * from a hosted dataset. Metric: rows_per_s (issue 5 target ≥ 200,000 for 1 M rows; BENCH_STREAM_ROWS overrides).
 */
import { withBenchStore } from '../storage.js';
import { sharingBenchWorld } from './sharing-world.js';

const ROWS = Number(process.env.BENCH_STREAM_ROWS ?? 1_000_000);

export async function run(): Promise<Record<string, number>> {
  return withBenchStore('stream', async (store) => {
    const w = await sharingBenchWorld(store, ROWS);
    try {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      let bytes = 0;
      let lines = 0;
      for await (const chunk of await w.services.pipeline.stream(w.actor, w.grantId, {}, 'ndjson')) {
        bytes += Buffer.byteLength(chunk);
        for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) {
          lines++;
        }
      }
      const s = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const rows = lines - 1; // the trailer
      return {
        rows,
        rows_per_s: Math.round(rows / s),
        // Rows per second of this process's CPU (the pipeline's own cost; PostgreSQL's is not in it, PGlite's
        // is): moves much less than rows_per_s when neighbours take the machine.
        rows_per_cpu_s: Math.round(rows / ((cpu.user + cpu.system) / 1e6)),
        mb_per_s: Number((bytes / 1e6 / s).toFixed(1)),
      };
    } finally {
      await w.close();
    }
  });
}
