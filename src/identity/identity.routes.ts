import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses, IdParams, Query } from '../contracts/common.js';
import {
  ApiKey,
  ApiKeyCreate,
  ApiKeyCreated,
  App,
  AppCreate,
  AppUpdate,
  Org,
  OrgCreate,
  OrgUpdate,
  PasswordBody,
  RolesBody,
  User,
  UserCreate,
  UserUpdate,
} from '../contracts/identity.js';
import type { AppService } from './app.service.js';
import { SECURED } from './auth.hooks.js';
import type { OrgService } from './org.service.js';
import type { UserService } from './user.service.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const OrgFilter = Query({ orgId: Type.Optional(Type.String({ maxLength: 100 })) });
const KeyParams = Type.Object(
  { id: Type.String({ maxLength: 100 }), keyId: Type.String({ maxLength: 100 }) },
  { additionalProperties: false },
);

/** Organizations, users, apps and API keys. Thin: each handler calls one service method. */
export function identityRoutes(deps: { orgs: OrgService; users: UserService; apps: AppService }) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { orgs, users, apps } = deps;
    const base = { tags: ['identity'], security: SECURED };

    app.get(
      '/orgs',
      {
        schema: {
          ...base,
          summary: '组织机构列表 / list organizations',
          response: { 200: Type.Array(Org), ...errors },
        },
      },
      (req) => orgs.list(req.actor),
    );
    app.post(
      '/orgs',
      {
        schema: {
          ...base,
          summary: '创建组织机构 / create an organization',
          body: OrgCreate,
          response: { 201: Org, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await orgs.create(req.actor, req.body)),
    );
    app.get(
      '/orgs/:id',
      {
        schema: {
          ...base,
          summary: '组织机构详情 (id or code)',
          params: IdParams,
          response: { 200: Org, ...errors },
        },
      },
      (req) => orgs.get(req.actor, req.params.id),
    );
    app.patch(
      '/orgs/:id',
      {
        schema: {
          ...base,
          summary: '修改组织机构',
          params: IdParams,
          body: OrgUpdate,
          response: { 200: Org, ...errors },
        },
      },
      (req) => orgs.update(req.actor, req.params.id, req.body),
    );

    app.get(
      '/users',
      {
        schema: {
          ...base,
          summary: '用户列表 / list users',
          querystring: OrgFilter,
          response: { 200: Type.Array(User), ...errors },
        },
      },
      (req) => users.list(req.actor, { orgId: req.query.orgId }),
    );
    app.post(
      '/users',
      {
        schema: {
          ...base,
          summary: '创建用户 / create a user',
          body: UserCreate,
          response: { 201: User, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await users.create(req.actor, req.body)),
    );
    app.get(
      '/users/:id',
      {
        schema: {
          ...base,
          summary: '用户详情 (id or username)',
          params: IdParams,
          response: { 200: User, ...errors },
        },
      },
      (req) => users.get(req.actor, req.params.id),
    );
    app.patch(
      '/users/:id',
      {
        schema: {
          ...base,
          summary: '修改用户',
          params: IdParams,
          body: UserUpdate,
          response: { 200: User, ...errors },
        },
      },
      (req) => users.update(req.actor, req.params.id, req.body),
    );
    app.put(
      '/users/:id/roles',
      {
        schema: {
          ...base,
          summary: '设置角色 (三权分立)',
          params: IdParams,
          body: RolesBody,
          response: { 200: User, ...errors },
        },
      },
      (req) => users.setRoles(req.actor, req.params.id, req.body.roles),
    );
    app.put(
      '/users/:id/password',
      {
        schema: {
          ...base,
          summary: '重置密码',
          params: IdParams,
          body: PasswordBody,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (req, reply) => {
        await users.resetPassword(req.actor, req.params.id, req.body.password);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/users/:id/unlock',
      { schema: { ...base, summary: '解除锁定', params: IdParams, response: { 200: User, ...errors } } },
      (req) => users.unlock(req.actor, req.params.id),
    );

    app.get(
      '/apps',
      {
        schema: {
          ...base,
          summary: '应用列表 / list apps',
          querystring: OrgFilter,
          response: { 200: Type.Array(App), ...errors },
        },
      },
      (req) => apps.list(req.actor, { orgId: req.query.orgId }),
    );
    app.post(
      '/apps',
      {
        schema: {
          ...base,
          summary: '创建应用 / create an app',
          body: AppCreate,
          response: { 201: App, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await apps.create(req.actor, req.body)),
    );
    app.get(
      '/apps/:id',
      { schema: { ...base, summary: '应用详情', params: IdParams, response: { 200: App, ...errors } } },
      (req) => apps.get(req.actor, req.params.id),
    );
    app.patch(
      '/apps/:id',
      {
        schema: {
          ...base,
          summary: '修改应用',
          params: IdParams,
          body: AppUpdate,
          response: { 200: App, ...errors },
        },
      },
      (req) => apps.update(req.actor, req.params.id, req.body),
    );
    app.get(
      '/apps/:id/keys',
      {
        schema: {
          ...base,
          summary: '应用密钥列表 (secrets are never shown again)',
          params: IdParams,
          response: { 200: Type.Array(ApiKey), ...errors },
        },
      },
      (req) => apps.listKeys(req.actor, req.params.id),
    );
    app.post(
      '/apps/:id/keys',
      {
        schema: {
          ...base,
          summary: '签发 API 密钥 (the secret is returned once)',
          params: IdParams,
          body: ApiKeyCreate,
          response: { 201: ApiKeyCreated, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await apps.createKey(req.actor, req.params.id, req.body)),
    );
    app.delete(
      '/apps/:id/keys/:keyId',
      {
        schema: {
          ...base,
          summary: '吊销 API 密钥',
          params: KeyParams,
          response: { 200: ApiKey, ...errors },
        },
      },
      (req) => apps.revokeKey(req.actor, req.params.id, req.params.keyId),
    );
  };
}
