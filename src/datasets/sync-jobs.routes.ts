import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses, IdParams } from '../contracts/common.js';
import { SyncJob, SyncJobCreateBody, SyncJobPatchBody, SyncRun } from '../contracts/sync-jobs.js';
import { SECURED } from '../identity/auth.hooks.js';
import type { SyncJobService } from './sync-jobs.service.js';

const E = errorResponses;
const tags = ['datasets'];

/** Scheduled syncs from linked into hosted datasets, for the provider organization's staff (dataset.manage). */
export function syncJobRoutes(deps: { syncJobs: SyncJobService }) {
  const { syncJobs } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/datasets/sync-jobs',
      {
        schema: {
          tags,
          summary: '定时同步任务 / scheduled sync jobs (provider staff)',
          security: SECURED,
          response: { 200: Type.Array(SyncJob), ...E(401, 403) },
        },
      },
      (req) => syncJobs.list(req.actor),
    );

    app.post(
      '/datasets/sync-jobs',
      {
        schema: {
          tags,
          summary:
            '新建定时同步（挂接 → 汇聚，全量或增量）/ schedule a sync from a linked into a hosted dataset',
          security: SECURED,
          body: SyncJobCreateBody,
          response: { 201: SyncJob, ...E(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        reply.code(201);
        return syncJobs.create(req.actor, req.body);
      },
    );

    app.get(
      '/datasets/sync-jobs/:id',
      {
        schema: {
          tags,
          summary: '同步任务 / one sync job',
          security: SECURED,
          params: IdParams,
          response: { 200: SyncJob, ...E(401, 403, 404) },
        },
      },
      (req) => syncJobs.get(req.actor, req.params.id),
    );

    app.patch(
      '/datasets/sync-jobs/:id',
      {
        schema: {
          tags,
          summary: '暂停、恢复或调整同步间隔 / pause, resume or change the interval',
          security: SECURED,
          params: IdParams,
          body: SyncJobPatchBody,
          response: { 200: SyncJob, ...E(400, 401, 403, 404) },
        },
      },
      (req) => syncJobs.update(req.actor, req.params.id, req.body),
    );

    app.delete(
      '/datasets/sync-jobs/:id',
      {
        schema: {
          tags,
          summary: '删除同步任务（已同步的数据保留）/ delete a sync job (synced data stays)',
          security: SECURED,
          params: IdParams,
          response: { 204: Type.Null(), ...E(401, 403, 404) },
        },
      },
      async (req, reply) => {
        await syncJobs.remove(req.actor, req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/datasets/sync-jobs/:id/run',
      {
        schema: {
          tags,
          summary: '立即运行一次（不改变计划）/ run now, outside the schedule',
          security: SECURED,
          params: IdParams,
          response: { 200: SyncRun, ...E(401, 403, 404) },
        },
      },
      (req) => syncJobs.runNow(req.actor, req.params.id),
    );

    app.get(
      '/datasets/sync-jobs/:id/runs',
      {
        schema: {
          tags,
          summary: '运行记录（最近 50 次）/ run history, latest 50',
          security: SECURED,
          params: IdParams,
          response: { 200: Type.Array(SyncRun), ...E(401, 403, 404) },
        },
      },
      (req) => syncJobs.runs(req.actor, req.params.id),
    );
  };
}
