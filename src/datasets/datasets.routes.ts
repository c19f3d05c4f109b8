import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses, IdParams } from '../contracts/common.js';
import {
  Advice,
  AdviceQuery,
  Dataset,
  DatasetListQuery,
  DatasetLoad,
  DatasetVersion,
  Form,
  ImportReport,
  QuarantineRow,
  ResubmitBody,
  RowsBody,
  RowsResult,
  Upload,
  UploadCommitBody,
  UploadCreateBody,
  UploadPreview,
  UploadPreviewBody,
} from '../contracts/datasets.js';
import { SECURED } from '../identity/auth.hooks.js';
import { ValidationError } from '../platform/errors.js';
import { t } from '../platform/i18n/i18n.js';
import type { DatasetService } from './dataset.service.js';

const E = errorResponses;

/** Largest chunk one PUT may carry (a whole file goes in as many chunks as it needs). */
export const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

/** `bytes start-end/total` (total may be `*`). */
function parseContentRange(
  header: string | undefined,
  body: unknown,
): { start: number; end: number; total: number | null } {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!m || !Buffer.isBuffer(body)) {
    throw new ValidationError('UPLOAD_RANGE_INVALID', 'error.uploadRangeInvalid', {
      params: { range: header ?? '-' },
      details: { field: 'Content-Range' },
    });
  }
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

/**
 * Aggregation over HTTP, for the provider organization's own staff (dataset.manage): datasets of a
 * resource, versions, loads, quarantine, resumable chunked file upload and import, fill-in (填报).
 * No route here returns dataset rows to consumers: they read through the sharing pipeline.
 */
export function datasetRoutes(deps: { datasets: DatasetService }) {
  const { datasets } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: MAX_CHUNK_BYTES },
      (_req, body, done) => done(null, body),
    );

    app.get(
      '/datasets',
      {
        schema: {
          tags: ['datasets'],
          summary: '资源挂接的数据集 / datasets behind a resource (provider staff)',
          security: SECURED,
          querystring: DatasetListQuery,
          response: { 200: Type.Array(Dataset), ...E(400, 401, 403, 404) },
        },
      },
      (req) => datasets.forResourceManaged(req.actor, req.query.resource),
    );

    app.get(
      '/datasets/advice',
      {
        schema: {
          tags: ['datasets'],
          summary: '汇聚建议：挂接数据集的访问频度、使用方与传输量 → 汇聚或保持挂接 / host-or-link advice',
          security: SECURED,
          querystring: AdviceQuery,
          response: { 200: Type.Array(Advice), ...E(400, 401, 403, 404) },
        },
      },
      (req) => datasets.advice(req.actor, { id: req.query.id, days: req.query.days }),
    );

    app.get(
      '/datasets/:id',
      {
        schema: {
          tags: ['datasets'],
          summary: '数据集 / one dataset (provider staff)',
          security: SECURED,
          params: IdParams,
          response: { 200: Dataset, ...E(401, 403, 404) },
        },
      },
      (req) => datasets.getManaged(req.actor, req.params.id),
    );

    app.get(
      '/datasets/:id/versions',
      {
        schema: {
          tags: ['datasets'],
          summary: '数据集版本 / versions kept (provider staff)',
          security: SECURED,
          params: IdParams,
          response: { 200: Type.Array(DatasetVersion), ...E(401, 403, 404) },
        },
      },
      (req) => datasets.versions(req.actor, req.params.id),
    );

    app.get(
      '/datasets/:id/loads',
      {
        schema: {
          tags: ['datasets'],
          summary: '装载历史 / load history (provider staff)',
          security: SECURED,
          params: IdParams,
          response: { 200: Type.Array(DatasetLoad), ...E(401, 403, 404) },
        },
      },
      (req) => datasets.loads(req.actor, req.params.id),
    );

    app.get(
      '/datasets/:id/quarantine',
      {
        schema: {
          tags: ['datasets'],
          summary: '隔离的错误行 / quarantined rows with their errors (provider staff)',
          security: SECURED,
          params: IdParams,
          response: { 200: Type.Array(QuarantineRow), ...E(401, 403, 404) },
        },
      },
      (req) => datasets.quarantine(req.actor, req.params.id),
    );

    app.post(
      '/datasets/:id/quarantine/resubmit',
      {
        schema: {
          tags: ['datasets'],
          summary: '更正并重新提交隔离行 / correct quarantined rows and re-submit them (all or nothing)',
          security: SECURED,
          params: IdParams,
          body: ResubmitBody,
          response: { 200: RowsResult, ...E(400, 401, 403, 404) },
        },
      },
      (req) => datasets.resubmitQuarantine(req.actor, req.params.id, req.body.rows),
    );

    app.get(
      '/datasets/:id/form',
      {
        schema: {
          tags: ['datasets'],
          summary: '填报表单定义 / the fill-in form generated from the items (provider staff)',
          security: SECURED,
          params: IdParams,
          response: { 200: Form, ...E(401, 403, 404) },
        },
      },
      (req) => datasets.form(req.actor, req.params.id),
    );

    app.post(
      '/datasets/:id/rows',
      {
        schema: {
          tags: ['datasets'],
          summary:
            '填报数据（与文件导入同样校验，全部或全不）/ submit filled-in rows, validated like an import',
          security: SECURED,
          params: IdParams,
          body: RowsBody,
          response: { 200: RowsResult, ...E(400, 401, 403, 404) },
        },
      },
      (req) => datasets.submitRows(req.actor, req.params.id, req.body.rows),
    );

    app.post(
      '/datasets/uploads',
      {
        schema: {
          tags: ['datasets'],
          summary: '创建分片上传会话 / open a resumable upload session (provider staff)',
          security: SECURED,
          body: UploadCreateBody,
          response: { 201: Upload, ...E(400, 401, 403, 404, 413) },
        },
      },
      async (req, reply) => {
        reply.code(201);
        return datasets.createUpload(req.actor, req.body);
      },
    );

    app.get(
      '/datasets/uploads/:id',
      {
        schema: {
          tags: ['datasets'],
          summary: '上传进度（续传起点）/ upload progress: the offset to resume from',
          security: SECURED,
          params: IdParams,
          response: { 200: Upload, ...E(401, 403, 404) },
        },
      },
      (req) => datasets.getUpload(req.actor, req.params.id),
    );

    app.put(
      '/datasets/uploads/:id',
      {
        schema: {
          tags: ['datasets'],
          summary:
            '上传一个分片（Content-Range: bytes start-end/total，application/octet-stream）/ upload one chunk',
          security: SECURED,
          params: IdParams,
          consumes: ['application/octet-stream'],
          response: { 200: Upload, ...E(400, 401, 403, 404, 409, 413, 415) },
        },
      },
      async (req) => {
        const range = parseContentRange(req.headers['content-range'], req.body);
        return datasets.putChunk(req.actor, req.params.id, range, req.body as Buffer);
      },
    );

    app.post(
      '/datasets/uploads/:id/preview',
      {
        schema: {
          tags: ['datasets'],
          summary:
            '导入预览：编码、表头、前若干行、推断的数据项与个人信息/分级建议、与资源数据项的对应；可改编码或目标资源（提交时沿用）/ import preview of a complete upload',
          security: SECURED,
          params: IdParams,
          body: UploadPreviewBody,
          response: { 200: UploadPreview, ...E(400, 401, 403, 404, 409) },
        },
      },
      (req) => datasets.previewUpload(req.actor, req.params.id, req.body),
    );

    app.post(
      '/datasets/uploads/:id/commit',
      {
        schema: {
          tags: ['datasets'],
          summary: '完成上传并导入（与命令行导入相同）/ finish the upload and import it, as the CLI does',
          security: SECURED,
          params: IdParams,
          body: UploadCommitBody,
          response: { 200: ImportReport, ...E(400, 401, 403, 404, 409) },
        },
      },
      async (req) => {
        const r = await datasets.commitUpload(req.actor, req.params.id, req.body);
        return {
          ...r,
          errors: r.errors.map((e) => ({ ...e, message: t(req.lang, `datasets.value.${e.code}`) })),
        };
      },
    );
  };
}
