import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  GrantParams,
  RowsPage,
  RowsQuery,
  StreamQuery,
  VerifyBody,
  VerifyResult,
} from '../contracts/sharing.js';
import { SECURED } from '../identity/auth.hooks.js';
import type { DataPipeline } from './pipeline.js';

const errors = {
  400: { $ref: 'ErrorEnvelope#' },
  401: { $ref: 'ErrorEnvelope#' },
  403: { $ref: 'ErrorEnvelope#' },
  404: { $ref: 'ErrorEnvelope#' },
  409: { $ref: 'ErrorEnvelope#' },
  429: { $ref: 'ErrorEnvelope#' },
};
const split = (s: string | undefined) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
const order = (s: string | undefined) =>
  split(s)?.map((p) =>
    p.endsWith(':desc')
      ? { item: p.slice(0, -5), desc: true }
      : { item: p.replace(/:asc$/, ''), desc: false },
  );

/**
 * 受控数据接口 / the governed data API. Every handler runs the one enforcement pipeline (pipeline.ts); the
 * receipt is in the `x-govhub-receipt` / `x-govhub-body-sha256` headers (streams: the trailer line).
 */
export function dataRoutes(deps: { pipeline: DataPipeline }) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { pipeline } = deps;
    const base = { tags: ['data'], security: SECURED, params: GrantParams };

    app.get(
      '/data/grants/:grantId/rows',
      {
        schema: {
          ...base,
          summary: '按授权读取数据（JSON 分页，游标） / rows as JSON pages',
          querystring: RowsQuery,
          response: { 200: RowsPage, ...errors },
        },
      },
      async (req, reply) => {
        const q = req.query;
        const out = await pipeline.page(req.actor, req.params.grantId, {
          items: split(q.items),
          filter: q.filter,
          order: order(q.order),
          limit: q.limit,
          cursor: q.cursor,
        });
        return reply
          .headers(out.headers)
          .type('application/json; charset=utf-8')
          .serializer((x) => x as string)
          .send(out.body);
      },
    );
    app.get(
      '/data/grants/:grantId/stream',
      {
        schema: {
          ...base,
          summary: '按授权流式读取（NDJSON / CSV；撤销即停，末行为回执） / NDJSON or CSV stream',
          querystring: StreamQuery,
          response: {
            200: Type.String({ description: 'NDJSON lines or CSV; the last line is the trailer' }),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        const q = req.query;
        const format = q.format ?? 'ndjson';
        const gen = await pipeline.stream(
          req.actor,
          req.params.grantId,
          { items: split(q.items), filter: q.filter, order: order(q.order), limit: q.limit },
          format,
        );
        reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
        return reply.send(Readable.from(gen));
      },
    );
    app.get(
      '/data/grants/:grantId/download',
      {
        schema: {
          ...base,
          summary: '下载（CSV 文件，需 download 方式授权） / download as a CSV file',
          querystring: StreamQuery,
          response: { 200: Type.String(), ...errors },
        },
      },
      async (req, reply) => {
        const q = req.query;
        const gen = await pipeline.stream(
          req.actor,
          req.params.grantId,
          { items: split(q.items), filter: q.filter, order: order(q.order), limit: q.limit },
          'csv',
          'download',
        );
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="grant-${req.params.grantId}.csv"`);
        return reply.send(Readable.from(gen));
      },
    );
    app.post(
      '/data/grants/:grantId/verify',
      {
        schema: {
          ...base,
          summary: '核验：只返回每项一致/不一致 / verify claimed values (match / no_match only)',
          body: VerifyBody,
          response: { 200: VerifyResult, ...errors },
        },
      },
      async (req, reply) => {
        const out = await pipeline.verify(req.actor, req.params.grantId, req.body);
        return reply
          .headers(out.headers)
          .type('application/json; charset=utf-8')
          .serializer((x) => x as string)
          .send(out.body);
      },
    );
  };
}
