import path from 'node:path';
import { ValidationError } from './errors.js';
import type { Lang } from './i18n/i18n.js';
import { parseLang } from './i18n/i18n.js';

/** Everything the process reads from its environment, parsed once and validated. */
export interface Config {
  /** PostgreSQL server URL; absent → embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  /** Key material for cookies and secrets at rest; a random per-data-dir key is generated when unset. */
  secretKey: string | undefined;
  lang: Lang;
  logLevel: string;
  /** Whether cookies carry the Secure flag (set when served behind HTTPS). */
  secureCookies: boolean;
  bodyLimitBytes: number;
  /** Unfinished uploads untouched this long are removed. */
  uploadTtlHours: number;
  rateLimit: { perIpPerMinute: number; perKeyPerMinute: number; failedCredentialsPerIpPerMinute: number };
  session: { ttlHours: number };
  login: { maxFailures: number; lockMinutes: number };
  publicUrl: string | undefined;
  oidc: OidcConfig | undefined;
  catalog: CatalogConfig;
}

/** Regional catalog rules and search tuning. */
export interface CatalogConfig {
  /** Widths of the 前段码 segments 类/项/目 (GOVHUB_CATALOG_CODE_WIDTHS, e.g. "1,2,3"). */
  codeWidths: [number, number, number];
  /** Width of the zero-padded 后段码 (GOVHUB_CATALOG_SEQ_WIDTH). */
  seqWidth: number;
  /**
   * Lifetime of cached search results on PostgreSQL, i.e. how late another process's catalog writes may show
   * in this server's search (GOVHUB_SEARCH_CACHE_MS, default 30 s; 0 turns the cache off).
   */
  searchCacheMs: number;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The ID-token claim matched against a govhub username. */
  usernameClaim: string;
  scope: string;
  /** Allow plain-HTTP issuers (tests and labs only). */
  allowHttp: boolean;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new ValidationError('CONFIG_INVALID', 'error.configInvalid', { params: { name, value: raw } });
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  return ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
}

function oidcFrom(env: Env): OidcConfig | undefined {
  const issuer = env.GOVHUB_OIDC_ISSUER;
  if (!issuer) {
    return undefined;
  }
  const need = (name: string): string => {
    const v = env[name];
    if (!v) {
      throw new ValidationError('CONFIG_INVALID', 'error.configMissing', { params: { name } });
    }
    return v;
  };
  return {
    issuer,
    clientId: need('GOVHUB_OIDC_CLIENT_ID'),
    clientSecret: need('GOVHUB_OIDC_CLIENT_SECRET'),
    redirectUri: need('GOVHUB_OIDC_REDIRECT_URI'),
    usernameClaim: env.GOVHUB_OIDC_USERNAME_CLAIM ?? 'preferred_username',
    scope: env.GOVHUB_OIDC_SCOPE ?? 'openid profile',
    allowHttp: bool(env, 'GOVHUB_OIDC_ALLOW_HTTP', false),
  };
}

function widths(env: Env, name: string, fallback: [number, number, number]): [number, number, number] {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const parts = raw.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 1 || n > 9)) {
    throw new ValidationError('CONFIG_INVALID', 'error.configInvalid', { params: { name, value: raw } });
  }
  return parts as [number, number, number];
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const config: Config = {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.GOVHUB_DATA_DIR || './govhub-data'),
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 8080),
    secretKey: env.GOVHUB_SECRET_KEY || undefined,
    lang: parseLang(env.GOVHUB_LANG),
    logLevel: env.GOVHUB_LOG_LEVEL || env.LOG_LEVEL || 'info',
    secureCookies: bool(env, 'GOVHUB_SECURE_COOKIES', false),
    bodyLimitBytes: int(env, 'GOVHUB_BODY_LIMIT', 1024 * 1024, 1),
    uploadTtlHours: int(env, 'GOVHUB_UPLOAD_TTL_HOURS', 24, 1),
    rateLimit: {
      perIpPerMinute: int(env, 'GOVHUB_RATE_LIMIT_IP', 600, 1),
      perKeyPerMinute: int(env, 'GOVHUB_RATE_LIMIT_KEY', 6000, 1),
      failedCredentialsPerIpPerMinute: int(env, 'GOVHUB_RATE_LIMIT_BAD_CREDENTIALS', 30, 1),
    },
    session: { ttlHours: int(env, 'GOVHUB_SESSION_TTL_HOURS', 12, 1) },
    login: {
      maxFailures: int(env, 'GOVHUB_LOGIN_MAX_FAILURES', 5, 1),
      lockMinutes: int(env, 'GOVHUB_LOGIN_LOCK_MINUTES', 15, 1),
    },
    publicUrl: env.GOVHUB_PUBLIC_URL || undefined,
    oidc: oidcFrom(env),
    catalog: {
      codeWidths: widths(env, 'GOVHUB_CATALOG_CODE_WIDTHS', [1, 2, 3]),
      seqWidth: int(env, 'GOVHUB_CATALOG_SEQ_WIDTH', 6, 1),
      searchCacheMs: int(env, 'GOVHUB_SEARCH_CACHE_MS', 30_000),
    },
  };
  return { ...config, ...overrides };
}
