import createClient, { type Middleware } from 'openapi-fetch';
import { acceptLanguage, t } from '../i18n';
import type { paths } from './schema';

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer B } } }
    ? B
    : R extends { 201: { content: { 'application/json': infer B } } }
      ? B
      : never
  : never;

export type Me = Json<'/api/v1/auth/me', 'get'>;
export type Org = Json<'/api/v1/orgs/{id}', 'get'>;
export type User = Json<'/api/v1/users/{id}', 'get'>;
export type App = Json<'/api/v1/apps/{id}', 'get'>;
export type ApiKey = Json<'/api/v1/apps/{id}/keys/{keyId}', 'delete'>;
export type ApiKeyCreated = Json<'/api/v1/apps/{id}/keys', 'post'>;
export type LedgerEvent = Json<'/api/v1/ledger/events', 'get'>[number];
export type Role = User['roles'][number];
export type OrgKind = Org['kind'];
export const ROLES: Role[] = ['sysadmin', 'secadmin', 'auditor', 'catalog_editor', 'approver', 'consumer'];
export const BUSINESS_ROLES: Role[] = ['catalog_editor', 'approver', 'consumer'];
export const ORG_KINDS: OrgKind[] = ['region', 'data_bureau', 'department', 'operator', 'auditor'];

/** An API failure: the message of the error envelope (already in the UI language), its code and details. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
let onUnauthenticated: (() => void) | undefined;

/** The session's CSRF token (from the login answer or /auth/me), sent on every unsafe request. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}
export function onSessionLost(handler: () => void): void {
  onUnauthenticated = handler;
}

const headers: Middleware = {
  onRequest({ request }) {
    request.headers.set('accept-language', acceptLanguage());
    if (csrfToken && !['GET', 'HEAD'].includes(request.method)) {
      request.headers.set('x-csrf-token', csrfToken);
    }
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/api/v1/auth/')) {
      onUnauthenticated?.();
    }
    return response;
  },
};

/** Typed client of the public HTTP API (generated from docs/openapi.json by `npm run web:api`). */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(headers);

interface Envelope {
  error?: { code?: string; message?: string; details?: unknown };
  requestId?: string;
}

/**
 * Unwraps an openapi-fetch answer: the data, or an ApiError carrying the envelope's message.
 * Network failures become an ApiError with status 0.
 */
export async function call<T>(
  promise: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  let res: { data?: T; error?: unknown; response: Response };
  try {
    res = await promise;
  } catch {
    throw new ApiError(t('error.network'), 0, 'NETWORK');
  }
  if (res.response.ok) {
    return res.data as NonNullable<T>;
  }
  const env = (res.error ?? {}) as Envelope;
  throw new ApiError(
    env.error?.message ?? t('error.unknown', { status: res.response.status }),
    res.response.status,
    env.error?.code ?? 'HTTP_' + res.response.status,
    env.requestId,
    env.error?.details,
  );
}

export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e);
}

// Sharing (共享申请, 授权, 数据异议): the shapes the console's sharing screens read.
export type ShareRequest = Json<'/api/v1/sharing/requests/{id}', 'get'>;
export type ShareGrant = Json<'/api/v1/sharing/grants/{id}', 'get'>;
export type Objection = Json<'/api/v1/sharing/objections/{id}', 'get'>;
export type ShareDecision = NonNullable<
  paths['/api/v1/sharing/requests/{id}/decision']['post']['requestBody']
>['content']['application/json'];
