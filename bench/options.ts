/** Knobs read from the environment: BENCH_DURATION (s), BENCH_WARMUP (s), BENCH_CONNECTIONS. */
export interface LoadSettings {
  durationS: number;
  warmupS: number;
  connections: number;
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function loadSettings(): LoadSettings {
  return {
    durationS: positive('BENCH_DURATION', 10),
    warmupS: positive('BENCH_WARMUP', 2),
    connections: Math.round(positive('BENCH_CONNECTIONS', 50)),
  };
}
