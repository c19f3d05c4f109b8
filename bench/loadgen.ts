import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadSettings } from './options.js';

export interface LoadRequest extends LoadSettings {
  url: string;
  headers?: Record<string, string>;
  /** When set, `:id` in the URL path is replaced per request by a random integer in [1, idRange]. */
  idRange?: number;
  /** When set, `:key` anywhere in the URL (path or query) is replaced per request by a random one of these (URL-encoded). */
  keys?: string[];
  /** When set, the load is paced at this many requests per second in all (autocannon `overallRate`). */
  rate?: number;
}

export interface LoadResult {
  rps: number;
  ok: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  durationS: number;
  /**
   * CPU time (user + system) this process spent per request served, warm-up included. The load runs
   * in another process, so this is the server's cost; it moves much less than req/s when the load
   * generator or a noisy neighbour takes more of the machine. Embedded storage runs in-process and
   * is included; a PostgreSQL server's work is not.
   */
  cpuUsPerReq: number;
}

/** What bench/load.js prints: the measurement plus how many requests it sent in all. */
export type LoadChildResult = Omit<LoadResult, 'cpuUsPerReq'> & { served: number };

const LOAD_JS = fileURLToPath(new URL('./load.js', import.meta.url));

/**
 * Runs autocannon against the URL from a second process, bounded in time (warm-up + duration + 30 s
 * grace), and refuses results that contain errors or non-2xx answers: those would measure the wrong thing.
 */
export function runLoad(req: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const cpu0 = process.cpuUsage();
    const child = spawn(process.execPath, [LOAD_JS, JSON.stringify(req)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const limitMs = (req.warmupS + req.durationS + 30) * 1000;
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`load generator exited with ${code ?? 'a signal'}: ${err.trim()}`));
        return;
      }
      const cpu = process.cpuUsage(cpu0);
      const { served, ...result } = JSON.parse(out) as LoadChildResult;
      if (result.errors > 0 || result.non2xx > 0 || result.ok === 0) {
        const codes = JSON.stringify(result.statusCodes);
        reject(new Error(`load against ${req.url} had ${result.errors} errors, status codes ${codes}`));
        return;
      }
      resolve({ ...result, cpuUsPerReq: (cpu.user + cpu.system) / Math.max(served, 1) });
    });
  });
}
