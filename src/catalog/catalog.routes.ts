import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  Coverage,
  DemandAnswer,
  DemandCreate,
  Demand,
  DeprecateBody,
  Duty,
  DutyCreate,
  History,
  ImportResult,
  NegativeEntry,
  RequiredComment,
  Resource,
  ResourceCreate,
  ResourceUpdate,
  SearchQuery,
  SearchResult,
  VersionSnapshot,
  Comment,
} from '../contracts/catalog.js';
import { errorResponses, IdParams, Query } from '../contracts/common.js';
import { SECURED } from '../identity/auth.hooks.js';
import type { CatalogService } from './catalog.service.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const JsonLd = Type.Record(Type.String(), Type.Unknown());
const VersionParams = Type.Object(
  { id: Type.String({ maxLength: 100 }), version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
const ImportBody = Type.Object(
  { file: Type.String({ minLength: 1, maxLength: 30_000_000, description: 'the xlsx sheet, base64' }) },
  { additionalProperties: false },
);

/** The catalog API (政务数据目录). Thin: each handler calls one CatalogService method. */
export function catalogRoutes(deps: { catalog: CatalogService }) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { catalog } = deps;
    const base = { tags: ['catalog'], security: SECURED };
    const id = { params: IdParams };

    app.get(
      '/catalog/search',
      {
        schema: {
          ...base,
          summary: '目录检索（中文全文、分面） / search the catalog',
          querystring: SearchQuery,
          response: { 200: SearchResult, ...errors },
        },
      },
      (req) => catalog.search(req.actor, req.query),
    );
    app.post(
      '/catalog/resources',
      {
        schema: {
          ...base,
          summary: '编目：新建信息资源（草稿） / create a draft resource',
          body: ResourceCreate,
          response: { 201: Resource, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await catalog.createResource(req.actor, req.body)),
    );
    app.get(
      '/catalog/resources/:id',
      {
        schema: {
          ...base,
          ...id,
          summary: '信息资源详情（id 或代码） / a resource by id or code',
          response: { 200: Resource, ...errors },
        },
      },
      (req) => catalog.getResource(req.actor, req.params.id),
    );
    app.patch(
      '/catalog/resources/:id',
      {
        schema: {
          ...base,
          ...id,
          summary: '修改信息资源（已发布的生成新草稿） / edit a resource',
          body: ResourceUpdate,
          response: { 200: Resource, ...errors },
        },
      },
      (req) => catalog.updateResource(req.actor, req.params.id, req.body),
    );
    app.post(
      '/catalog/resources/:id/submit',
      {
        schema: {
          ...base,
          ...id,
          summary: '提交审核 / submit for review',
          body: Type.Optional(Comment),
          response: { 200: Resource, ...errors },
        },
      },
      (req) => catalog.submit(req.actor, req.params.id, req.body?.comment),
    );
    app.post(
      '/catalog/resources/:id/approve',
      {
        schema: {
          ...base,
          ...id,
          summary: '审核通过（数据局） / approve (data bureau)',
          body: Type.Optional(Comment),
          response: { 200: Resource, ...errors },
        },
      },
      (req) => catalog.approve(req.actor, req.params.id, req.body?.comment),
    );
    app.post(
      '/catalog/resources/:id/reject',
      {
        schema: {
          ...base,
          ...id,
          summary: '退回修改（数据局，须填意见） / reject with comments',
          body: RequiredComment,
          response: { 200: Resource, ...errors },
        },
      },
      (req) => catalog.reject(req.actor, req.params.id, req.body.comment),
    );
    app.post(
      '/catalog/resources/:id/publish',
      {
        schema: {
          ...base,
          ...id,
          summary: '发布新版本（数据局） / publish a new version',
          body: Type.Optional(Comment),
          response: { 200: Resource, ...errors },
        },
      },
      (req) => catalog.publish(req.actor, req.params.id, req.body?.comment),
    );
    app.post(
      '/catalog/resources/:id/deprecate',
      {
        schema: {
          ...base,
          ...id,
          summary: '废止（理由与替代资源） / deprecate',
          body: DeprecateBody,
          response: { 200: Resource, ...errors },
        },
      },
      (req) => catalog.deprecate(req.actor, req.params.id, req.body),
    );
    app.get(
      '/catalog/resources/:id/history',
      {
        schema: {
          ...base,
          ...id,
          summary: '审核记录与版本差异 / reviews and version diffs',
          response: { 200: History, ...errors },
        },
      },
      (req) => catalog.history(req.actor, req.params.id),
    );
    app.get(
      '/catalog/resources/:id/versions/:version',
      {
        schema: {
          ...base,
          params: VersionParams,
          summary: '某一发布版本 / one published version',
          response: { 200: VersionSnapshot, ...errors },
        },
      },
      (req) => catalog.getVersion(req.actor, req.params.id, req.params.version),
    );
    app.get(
      '/catalog/resources/:id/dcat',
      {
        schema: {
          ...base,
          ...id,
          summary: 'DCAT-AP 3 JSON-LD（开放资源）',
          response: { 200: JsonLd, ...errors },
        },
      },
      async (req, reply) =>
        reply.type('application/ld+json').send(await catalog.dcatResource(req.actor, req.params.id)),
    );
    app.get(
      '/catalog/dcat',
      {
        schema: {
          ...base,
          summary: '整个开放目录的 DCAT-AP 3 JSON-LD / the open catalog as DCAT-AP 3',
          querystring: Query({ page: Type.Optional(Type.Integer({ minimum: 1 })) }),
          response: { 200: JsonLd, ...errors },
        },
      },
      async (req, reply) =>
        reply
          .type('application/ld+json')
          .send(await catalog.dcatCatalog(req.actor, { page: req.query.page })),
    );
    app.get(
      '/catalog/duties',
      {
        schema: {
          ...base,
          summary: '责任清单 / duty list',
          querystring: Query({ orgId: Type.Optional(Type.String({ maxLength: 100 })) }),
          response: { 200: Type.Array(Duty), ...errors },
        },
      },
      (req) => catalog.listDuties(req.actor, req.query.orgId),
    );
    app.post(
      '/catalog/duties',
      {
        schema: {
          ...base,
          summary: '新增责任清单条目（数据局） / add a duty',
          body: DutyCreate,
          response: { 201: Duty, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await catalog.createDuty(req.actor, req.body)),
    );
    app.get(
      '/catalog/duties/coverage',
      {
        schema: {
          ...base,
          summary: '编目覆盖情况 / duty coverage per department',
          response: { 200: Type.Array(Coverage), ...errors },
        },
      },
      (req) => catalog.coverage(req.actor),
    );
    app.get(
      '/catalog/demands',
      {
        schema: {
          ...base,
          summary: '需求清单 / demand list',
          querystring: Query({
            status: Type.Optional(Type.Enum(['open', 'answered', 'fulfilled'] as const)),
          }),
          response: { 200: Type.Array(Demand), ...errors },
        },
      },
      (req) => catalog.listDemands(req.actor, req.query.status),
    );
    app.post(
      '/catalog/demands',
      {
        schema: {
          ...base,
          summary: '提出数据需求（部门或公众） / post a demand',
          body: DemandCreate,
          response: { 201: Demand, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await catalog.createDemand(req.actor, req.body)),
    );
    app.post(
      '/catalog/demands/:id/answer',
      {
        schema: {
          ...base,
          ...id,
          summary: '答复需求 / answer a demand',
          body: DemandAnswer,
          response: { 200: Demand, ...errors },
        },
      },
      (req) => catalog.answerDemand(req.actor, req.params.id, req.body),
    );
    app.get(
      '/catalog/negative-list',
      {
        schema: {
          ...base,
          summary: '负面清单（不予共享的资源与信息项） / negative list',
          response: { 200: Type.Array(NegativeEntry), ...errors },
        },
      },
      (req) => catalog.negativeList(req.actor),
    );
    app.get(
      '/catalog/export',
      {
        schema: {
          ...base,
          summary: '导出编目表 xlsx / export the cataloguing sheet',
          response: { ...errors },
        },
      },
      async (req, reply) =>
        reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', 'attachment; filename="catalog.xlsx"')
          .send(await catalog.exportSheet(req.actor)),
    );
    app.post(
      '/catalog/import',
      {
        schema: {
          ...base,
          summary: '导入编目表（逐行逐列报错，全部有效才写入） / import the cataloguing sheet',
          body: ImportBody,
          response: { 201: ImportResult, ...errors },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await catalog.importSheet(req.actor, Buffer.from(req.body.file, 'base64'))),
    );
  };
}
