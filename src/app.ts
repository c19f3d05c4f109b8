import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { registerAjvFormats, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Services } from './container.js';
import { catalogRoutes } from './catalog/catalog.routes.js';
import { datasetRoutes } from './datasets/datasets.routes.js';
import { syncJobRoutes } from './datasets/sync-jobs.routes.js';
import { registerAuthentication } from './identity/auth.hooks.js';
import { authRoutes } from './identity/auth.routes.js';
import { identityRoutes } from './identity/identity.routes.js';
import { ledgerRoutes } from './ledger/ledger.routes.js';
import { dataRoutes } from './sharing/data.routes.js';
import { sharingRoutes } from './sharing/sharing.routes.js';
import { statsRoutes } from './stats/stats.routes.js';
import { TooManyRequestsError } from './platform/errors.js';
import { registerErrorHandling } from './platform/http/error-handler.js';
import { registerMetrics } from './platform/http/metrics.js';
import { registerOpenApi } from './platform/http/openapi.js';
import { registerRequestContext, requestIdFrom } from './platform/http/request-context.js';
import { systemRoutes } from './platform/http/system.routes.js';
import { registerWeb } from './platform/http/web.js';

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: string[];
  }
}

export interface BuildAppOptions {
  /** pino logger options, or false for none (tests). */
  logger?: boolean | Record<string, unknown>;
}

/** Secrets never reach the logs: credentials in headers, cookies set by us, passwords in bodies. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'password',
  'secret',
  'token',
  '*.password',
  '*.secret',
  '*.token',
];

registerAjvFormats();

/** Builds the HTTP application without listening, so tests can call `app.inject()`. */
export async function buildApp(services: Services, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const logger =
    opts.logger === false
      ? false
      : {
          level: config.logLevel,
          redact: { paths: REDACT, censor: '[redacted]' },
          ...(typeof opts.logger === 'object' ? opts.logger : {}),
        };
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id'], randomUUID),
    trustProxy: process.env.GOVHUB_TRUST_PROXY === 'true',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  // Every route served, as "METHOD /url" — the authorization walk test checks each has a policy.
  app.decorate('routeTable', [] as string[]);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      app.routeTable.push(`${method} ${route.url}`);
    }
  });
  // TypeBox validation: bodies exactly as sent (no type coercion, unknown fields refused by the schemas'
  // additionalProperties: false); query strings and path params converted to their declared types.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  registerRequestContext(app, config.lang);
  registerErrorHandling(app);
  registerMetrics(app);
  // Cookies are parsed by the authentication hook only when a Cookie header is present (API-key
  // calls, the hot path, carry none); setCookie/clearCookie stay available on every reply.
  await app.register(cookie, { hook: false });
  registerAuthentication(app, services.auth, {
    maxFailuresPerMinute: config.rateLimit.failedCredentialsPerIpPerMinute,
  });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    // x-ratelimit-* headers only once a caller is limited: on every answer they cost as much as the limiter.
    addHeadersOnExceeding: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
    },
    max: (request, key) =>
      key.startsWith('ip:') ? config.rateLimit.perIpPerMinute : config.rateLimit.perKeyPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (request) => {
      const a = request.actor;
      return a.kind === 'app' ? `key:${a.keyId}` : a.kind === 'user' ? `user:${a.id}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, ctx) =>
      new TooManyRequestsError('RATE_LIMITED', 'error.rateLimited', { params: { after: ctx.after } }),
  });
  await registerOpenApi(app);

  await app.register(systemRoutes({ database: services.database }));
  await app.register(
    async (api) => {
      await api.register(
        authRoutes({
          auth: services.auth,
          users: services.users,
          orgs: services.orgs,
          oidc: services.oidc,
          config,
        }),
      );
      await api.register(identityRoutes(services));
      await api.register(ledgerRoutes(services));
      await api.register(catalogRoutes(services));
      await api.register(datasetRoutes(services));
      await api.register(syncJobRoutes(services));
      await api.register(sharingRoutes(services));
      await api.register(dataRoutes(services));
      await api.register(statsRoutes(services));
    },
    { prefix: '/api/v1' },
  );
  await registerWeb(app);
  return app;
}
