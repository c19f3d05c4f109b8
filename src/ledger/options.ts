import { HASH_ALGS, type HashAlg } from './merkle.js';

/** Ledger settings read from the environment (pure). Hash and origin only matter when a log is created. */
export interface LedgerOptions {
  /** Log origin (checkpoint first line, signer name). */
  origin: string;
  /** Hash for a new log; fixed for the log's life once initialised. */
  hashAlg: HashAlg;
  /** Also sign checkpoints with SM2 (GB/T 32918), beside Ed25519. */
  sm2: boolean;
  /** Integrator period. */
  intervalMs: number;
  /** Events per integration batch. */
  batch: number;
  /**
   * Back-pressure: while the background integrator runs in this process and more than this many
   * events drawn here are not yet integrated, a writer whose transaction has written nothing yet waits
   * (up to 2 s) for the integrator before drawing ids. 0 disables (embedded store: one connection).
   */
  backlog: number;
  /** Witnesses to ask for cosignatures: add-checkpoint URL and the witness's verifier key. */
  witnesses: Array<{ url: string; vkey: string }>;
}

export function ledgerOptionsFromEnv(env: Record<string, string | undefined>): LedgerOptions {
  const alg = (env.GOVHUB_LEDGER_HASH ?? 'sha256').toLowerCase();
  const witnesses = (env.GOVHUB_LEDGER_WITNESSES ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((w) => {
      const at = w.indexOf('=');
      return { url: w.slice(0, at), vkey: w.slice(at + 1) };
    })
    .filter((w) => w.url && w.vkey);
  return {
    origin: env.GOVHUB_LEDGER_ORIGIN || 'govhub.local/ledger',
    hashAlg: (HASH_ALGS as readonly string[]).includes(alg) ? (alg as HashAlg) : 'sha256',
    sm2: ['sm2', 'ed25519+sm2'].includes((env.GOVHUB_LEDGER_SIGN ?? '').toLowerCase()),
    intervalMs: Number(env.GOVHUB_LEDGER_INTERVAL_MS) > 0 ? Number(env.GOVHUB_LEDGER_INTERVAL_MS) : 200,
    batch: Number(env.GOVHUB_LEDGER_BATCH) > 0 ? Number(env.GOVHUB_LEDGER_BATCH) : 16384,
    backlog:
      Number(env.GOVHUB_LEDGER_BACKLOG) >= 0 && env.GOVHUB_LEDGER_BACKLOG
        ? Number(env.GOVHUB_LEDGER_BACKLOG)
        : 16384,
    witnesses,
  };
}
