/** What the issue asks of each figure; the summary marks each one met or missed. */
export interface Target {
  suite: string;
  metric: string;
  op: '>=' | '<=';
  value: number;
  why: string;
}

export const TARGETS: Target[] = [
  { suite: 'auth', metric: 'ratio', op: '>=', value: 0.7, why: 'API-key request vs bare route' },
  { suite: 'startup', metric: 'cold_start_s', op: '<=', value: 10, why: 'fresh clone serving within 10 s' },
  { suite: 'startup', metric: 'warm_start_s', op: '<=', value: 10, why: 'restart serving within 10 s' },
  { suite: 'startup', metric: 'rss_mb', op: '<=', value: 400, why: 'server with demo < 400 MB resident' },
  {
    suite: 'startup',
    metric: 'warm_rss_mb',
    op: '<=',
    value: 400,
    why: 'server with demo < 400 MB resident',
  },
  { suite: 'masking', metric: 'rows_per_s', op: '>=', value: 200_000, why: 'stream: four items masked' },
  { suite: 'web', metric: 'home_load_ms', op: '<=', value: 1500, why: 'portal home first load on localhost' },
  { suite: 'web', metric: 'js_gzip_kb', op: '<=', value: 500, why: 'console JavaScript gzipped' },
  { suite: 'ingest', metric: 'ratio', op: '>=', value: 0.6, why: 'validated import vs plain COPY' },
  { suite: 'ingest', metric: 'peak_rss_mb', op: '<=', value: 512, why: 'bounded memory while importing' },
  { suite: 'search', metric: 'p95_ms', op: '<=', value: 30, why: 'Chinese catalog query through HTTP' },
  { suite: 'search', metric: 'qps', op: '>=', value: 500, why: 'Chinese catalog queries per second' },
  {
    suite: 'ledger',
    metric: 'appends_per_s',
    op: '>=',
    value: 20_000,
    why: 'durable appends, concurrent writers',
  },
  {
    suite: 'ledger',
    metric: 'checkpoint_lag_p99_ms',
    op: '<=',
    value: 1000,
    why: 'checkpoint behind appends',
  },
  { suite: 'ledger', metric: 'proof_p99_ms', op: '<=', value: 5, why: 'inclusion proof latency' },
  { suite: 'ledger', metric: 'verify_entries_per_s', op: '>=', value: 200_000, why: 'offline verification' },
  {
    suite: 'data_api',
    metric: 'ratio',
    op: '>=',
    value: 0.5,
    why: 'point lookup through the pipeline vs bare pg',
  },
  {
    suite: 'data_api',
    metric: 'p99_ms',
    op: '<=',
    value: 25,
    why: 'point lookup through the pipeline at 1,000 req/s',
  },
  { suite: 'scan', metric: 'postgres_ratio', op: '>=', value: 0.8, why: 'linked PG stream vs bare pg' },
  {
    suite: 'scan',
    metric: 'postgres_point_ratio',
    op: '>=',
    value: 0.8,
    why: 'linked PG point query vs bare pg',
  },
  {
    suite: 'scan',
    metric: 'mariadb_ratio',
    op: '>=',
    value: 0.8,
    why: 'linked MariaDB stream vs bare mysql2',
  },
  {
    suite: 'scan',
    metric: 'mariadb_point_ratio',
    op: '>=',
    value: 0.8,
    why: 'linked MariaDB point query vs bare mysql2',
  },
  {
    suite: 'stream',
    metric: 'rows_per_s',
    op: '>=',
    value: 200_000,
    why: '1 M rows, four items masked, NDJSON',
  },
];

export function meets(t: Target, v: number): boolean {
  return t.op === '>=' ? v >= t.value : v <= t.value;
}
