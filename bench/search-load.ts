// The search suite's load generator, run as a child process (`node dist/bench/search-load.js`, the request as JSON on stdin) so
// that it never shares an event loop with the server: autocannon issuing the given paths as one stream
// (every request, on whichever connection, takes the next path — the warm-up continues where it left off),
// then the measurement; prints one JSON line with the latency percentiles of every answered request
// (autocannon's own summary has no p95) and how many paths were issued (`issued`; more than the list's
// length means the list wrapped and some searches repeated).
import autocannon, { type Options } from 'autocannon';

interface SearchLoad {
  url: string;
  paths: string[];
  connections: number;
  warmupS: number;
  durationS: number;
}

let cursor = 0;

function options(req: SearchLoad, duration: number): Options {
  const next = () => req.paths[cursor++ % req.paths.length] as string;
  return {
    url: req.url,
    connections: req.connections,
    duration,
    timeout: 10,
    requests: [{ method: 'GET', path: req.paths[0], setupRequest: (r) => ({ ...r, path: next() }) }],
  };
}

async function main(): Promise<void> {
  // The request comes on stdin (thousands of paths exceed the argument list's limit).
  let input = '';
  for await (const chunk of process.stdin) {
    input += String(chunk);
  }
  const req = JSON.parse(input || '{}') as SearchLoad;
  if (new URL(req.url).hostname !== '127.0.0.1') {
    throw new Error(`bench load only targets 127.0.0.1, not ${req.url}`);
  }
  if (req.warmupS > 0) {
    await autocannon(options(req, req.warmupS));
  }
  const issuedBefore = cursor;
  const latencies: number[] = [];
  const run = autocannon(options(req, req.durationS));
  (run as unknown as NodeJS.EventEmitter).on(
    'response',
    (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms),
  );
  const r = await run;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Number((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(2));
  process.stdout.write(
    `${JSON.stringify({
      requests: r['2xx'] + r.non2xx,
      ok: r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      qps: Number(((r['2xx'] + r.non2xx) / r.duration).toFixed(1)),
      p50_ms: pct(0.5),
      p95_ms: pct(0.95),
      p99_ms: pct(0.99),
      issued: cursor - issuedBefore,
      wrapped: cursor > req.paths.length,
    })}\n`,
  );
}

await main();
