import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errorResponses, Query } from '../contracts/common.js';
import { LoginBody, LoginResult, Me } from '../contracts/identity.js';
import type { Config } from '../platform/config.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../platform/errors.js';
import { SYSTEM } from './actor.js';
import { SECURED, SESSION_COOKIE, sessionCookieOf } from './auth.hooks.js';
import type { AuthService, SessionOpened } from './auth.service.js';
import type { OidcService } from './oidc.service.js';
import type { OrgService } from './org.service.js';
import { permissionsHeld } from './permissions.js';
import type { UserService } from './user.service.js';

const errors = errorResponses(400, 401, 403);
const LOGIN_LIMIT = { rateLimit: { max: 30, timeWindow: '1 minute' } };

function meta(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id };
}

/** Sign-in by password or single sign-on, sessions by cookie or bearer token, and "who am I". */
export function authRoutes(deps: {
  auth: AuthService;
  users: UserService;
  orgs: OrgService;
  oidc: OidcService | undefined;
  config: Pick<Config, 'secureCookies'>;
}) {
  const setCookie = (reply: FastifyReply, opened: SessionOpened) =>
    reply.setCookie(SESSION_COOKIE, opened.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.secureCookies,
      path: '/',
      expires: opened.expiresAt,
    });

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['auth'];

    app.get(
      '/auth/config',
      {
        schema: {
          tags,
          summary: '可用的登录方式 / available sign-in methods',
          response: { 200: Type.Object({ password: Type.Boolean(), oidc: Type.Boolean() }) },
        },
      },
      async () => ({ password: true, oidc: deps.oidc !== undefined }),
    );

    app.post(
      '/auth/login',
      {
        config: LOGIN_LIMIT,
        schema: {
          tags,
          summary: '密码登录，设置会话 Cookie / password sign-in (cookie session)',
          body: LoginBody,
          response: { 200: LoginResult, ...errors },
        },
      },
      async (req, reply) => {
        const opened = await deps.auth.login(req.body.username, req.body.password, 'cookie', meta(req));
        setCookie(reply, opened);
        return { user: opened.user, csrfToken: opened.csrfToken, expiresAt: opened.expiresAt.toISOString() };
      },
    );

    app.post(
      '/auth/token',
      {
        config: LOGIN_LIMIT,
        schema: {
          tags,
          summary: '密码登录，签发 Bearer 令牌 / password sign-in (bearer token)',
          body: LoginBody,
          response: { 200: LoginResult, ...errors },
        },
      },
      async (req) => {
        const opened = await deps.auth.login(req.body.username, req.body.password, 'bearer', meta(req));
        return {
          user: opened.user,
          csrfToken: opened.csrfToken,
          token: opened.token,
          expiresAt: opened.expiresAt.toISOString(),
        };
      },
    );

    app.post(
      '/auth/logout',
      {
        schema: {
          tags,
          summary: '退出登录 / end the session',
          security: SECURED,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (req, reply) => {
        const token = sessionCookieOf(req) ?? req.headers.authorization?.replace(/^bearer\s+/i, '');
        if (req.actor.kind === 'app') {
          throw new ForbiddenError('SESSION_REQUIRED', 'error.sessionRequired');
        }
        if (req.actor.kind !== 'user' || !token) {
          throw new UnauthenticatedError();
        }
        await deps.auth.logout(token);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/auth/me',
      {
        schema: {
          tags,
          summary: '当前身份 / the signed-in user or app',
          security: SECURED,
          response: { 200: Me, ...errors },
        },
      },
      async (req) => {
        const actor = req.actor;
        // The caller's own organization kind, read as the node (an app's scopes may not include org.read).
        const orgKind = async (orgId: string) => (await deps.orgs.get(SYSTEM, orgId)).kind;
        if (actor.kind === 'user') {
          return {
            kind: 'user' as const,
            id: actor.id,
            orgId: actor.orgId,
            roles: actor.roles,
            permissions: permissionsHeld(actor.roles, undefined, await orgKind(actor.orgId)),
            user: await deps.users.get(actor, actor.id),
            ...(actor.csrfToken && actor.via === 'cookie' ? { csrfToken: actor.csrfToken } : {}),
          };
        }
        if (actor.kind === 'app') {
          return {
            kind: 'app' as const,
            id: actor.id,
            orgId: actor.orgId,
            roles: actor.roles,
            permissions: permissionsHeld(
              actor.roles,
              actor.scopes,
              actor.orgKind ?? (await orgKind(actor.orgId)),
            ),
          };
        }
        throw new UnauthenticatedError();
      },
    );

    app.get(
      '/auth/oidc/login',
      {
        config: LOGIN_LIMIT,
        schema: {
          tags,
          summary: '统一身份认证登录 (redirects to the provider)',
          querystring: Query({ returnTo: Type.Optional(Type.String({ maxLength: 500 })) }),
        },
      },
      async (req, reply) => {
        if (!deps.oidc) {
          throw new NotFoundError('OIDC_DISABLED', 'error.oidcDisabled');
        }
        const url = await deps.oidc.start(req.query.returnTo);
        return reply.redirect(url.href, 302);
      },
    );

    app.get(
      '/auth/oidc/callback',
      {
        config: LOGIN_LIMIT,
        schema: { tags, summary: '统一身份认证回调 / provider redirect target', hide: false },
      },
      async (req, reply) => {
        if (!deps.oidc) {
          throw new NotFoundError('OIDC_DISABLED', 'error.oidcDisabled');
        }
        const current = new URL(req.url, `${req.protocol}://${req.host}`);
        const opened = await deps.oidc.callback(current, meta(req));
        setCookie(reply, opened);
        return reply.redirect(opened.returnTo, 302);
      },
    );
  };
}
