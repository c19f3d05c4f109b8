import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, TooManyRequestsError, UnauthenticatedError } from '../platform/errors.js';
import { ANONYMOUS, type Actor } from './actor.js';
import type { AuthService } from './auth.service.js';
import { CredentialFailures } from './credential-failures.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

export const SESSION_COOKIE = 'govhub_session';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Security requirement for OpenAPI: any of session cookie, bearer token or API key. */
export const SECURED: Array<Record<string, string[]>> = [{ session: [] }, { bearer: [] }, { apiKey: [] }];

/** The session cookie, parsed on demand (the cookie plugin's per-request hook is off). */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return header ? request.server.parseCookie(header)[SESSION_COOKIE] : undefined;
}

function bearerOf(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h === 'string' && /^bearer\s+/i.test(h)) {
    return h.replace(/^bearer\s+/i, '').trim();
  }
  return undefined;
}

/**
 * Resolves the actor of every request: an API key (X-API-Key or `Authorization: Bearer ghk_…`),
 * a bearer session token, or the session cookie. Credentials that are presented but not valid are
 * refused outright rather than treated as anonymous. Cookie sessions must echo their CSRF token on
 * unsafe methods. An address that presents `maxFailuresPerMinute` invalid keys or tokens within a minute is
 * refused with 429 (no lookup) until its minute is over.
 */
export function registerAuthentication(
  app: FastifyInstance,
  auth: AuthService,
  opts: { maxFailuresPerMinute: number },
): void {
  const failures = new CredentialFailures(opts.maxFailuresPerMinute);
  const refuseIfBlocked = (ip: string) => {
    const ms = failures.blockedFor(ip);
    if (ms > 0) {
      const after = `${Math.ceil(ms / 1000)} s`;
      throw new TooManyRequestsError('AUTH_TOO_MANY_FAILURES', 'error.rateLimited', { params: { after } });
    }
  };
  app.decorateRequest<Actor | null>('actor', null);
  app.addHook('onRequest', async (request) => {
    request.actor = ANONYMOUS;
    const apiKeyHeader = request.headers['x-api-key'];
    const bearer = bearerOf(request);
    if (typeof apiKeyHeader === 'string' || bearer?.startsWith('ghk_')) {
      refuseIfBlocked(request.ip);
      const actor = await auth.apiKeyActor((typeof apiKeyHeader === 'string' ? apiKeyHeader : bearer) ?? '');
      if (!actor) {
        failures.fail(request.ip);
        throw new UnauthenticatedError('AUTH_INVALID_API_KEY', 'error.invalidApiKey');
      }
      request.actor = actor;
      return;
    }
    if (bearer !== undefined) {
      refuseIfBlocked(request.ip);
      const actor = await auth.sessionActor(bearer, 'bearer');
      if (!actor) {
        failures.fail(request.ip);
        throw new UnauthenticatedError('AUTH_INVALID_TOKEN', 'error.invalidToken');
      }
      request.actor = actor;
      return;
    }
    const cookie = request.headers.cookie ? sessionCookieOf(request) : undefined;
    if (cookie) {
      const actor = await auth.sessionActor(cookie, 'cookie');
      if (!actor) {
        // An expired cookie is not an attack: carry on as anonymous so public pages still load.
        return;
      }
      if (
        UNSAFE.has(request.method) &&
        actor.kind === 'user' &&
        request.headers['x-csrf-token'] !== actor.csrfToken
      ) {
        throw new ForbiddenError('CSRF_TOKEN_INVALID', 'error.csrf');
      }
      request.actor = actor;
    }
  });
}
