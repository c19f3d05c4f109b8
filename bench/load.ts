// The load generator, run as a child process (`node dist/bench/load.js '<json>'`) so that it never
// shares an event loop with the server under test. Warms up, measures, prints one JSON line.
import autocannon, { type Options, type RawRequest } from 'autocannon';
import type { LoadChildResult, LoadRequest } from './loadgen.js';

function assertLoopback(url: string): void {
  if (new URL(url).hostname !== '127.0.0.1') {
    throw new Error(`bench load only targets 127.0.0.1, not ${url}`);
  }
}

function options(req: LoadRequest, duration: number): Options {
  const base: Options = {
    url: req.url,
    connections: req.connections,
    duration,
    timeout: 10,
    ...(req.rate ? { overallRate: req.rate } : {}),
  };
  const headers = req.headers ?? {};
  const keys = req.keys;
  if (keys && keys.length > 0) {
    // `:key` in the path or query becomes a random one of the given keys on every request.
    const u = new URL(req.url);
    const target = u.pathname + u.search;
    const setupRequest = (r: RawRequest) => ({
      ...r,
      path: target.replace(
        /:key|%3Akey/,
        encodeURIComponent(keys[Math.floor(Math.random() * keys.length)] as string),
      ),
    });
    return { ...base, requests: [{ method: 'GET', headers, setupRequest }] };
  }
  const idRange = req.idRange;
  if (idRange === undefined) {
    return { ...base, headers };
  }
  // `:id` in the path becomes a fresh random key in [1, idRange] on every request.
  const path = new URL(req.url).pathname;
  const setupRequest = (r: RawRequest) => ({
    ...r,
    path: path.replace(':id', String(1 + Math.floor(Math.random() * idRange))),
  });
  return { ...base, requests: [{ method: 'GET', headers, setupRequest }] };
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '{}') as LoadRequest;
  assertLoopback(req.url);
  const warm = req.warmupS > 0 ? (await autocannon(options(req, req.warmupS)))['2xx'] : 0;
  const r = await autocannon(options(req, req.durationS));
  const result: LoadChildResult = {
    rps: r.requests.average,
    ok: r['2xx'],
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, Number(v.count)])),
    durationS: r.duration,
    served: warm + r['2xx'] + r.non2xx,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
