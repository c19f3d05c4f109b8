import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses, IdParams, Query } from '../contracts/common.js';
import {
  CalendarQuery,
  CalendarYearOut,
  Coordinate,
  Decision,
  Grant,
  NotificationList,
  NotificationQuery,
  NotificationRead,
  NotificationReadResult,
  Objection,
  ObjectionCreate,
  ObjectionResolve,
  OptionalReason,
  ReasonBody,
  RegionRule,
  RegionRuleOut,
  Renew,
  RequestCreate,
  RequestListQuery,
  ShareRequest,
  SweepResult,
} from '../contracts/sharing.js';
import { SECURED } from '../identity/auth.hooks.js';
import type { GrantTerms, SharingService } from './sharing.service.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const NoQuery = Query({});

/** 共享申请、授权、数据异议 / share requests, grants, objections. Thin: one SharingService call each. */
export function sharingRoutes(deps: { sharing: SharingService }) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { sharing } = deps;
    const base = { tags: ['sharing'], security: SECURED };
    const one = <R, E extends object = object>(summary: string, response: R, extra?: E) => ({
      schema: {
        ...base,
        summary,
        params: IdParams,
        querystring: NoQuery,
        response: { 200: response, ...errors },
        ...((extra ?? {}) as E),
      },
    });

    app.post(
      '/sharing/requests',
      {
        schema: {
          ...base,
          summary: '提出共享申请（用途、场景、依据、信息项、方式、期限） / request data',
          body: RequestCreate,
          response: { 201: ShareRequest, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await sharing.createRequest(req.actor, req.body)),
    );
    app.get(
      '/sharing/requests',
      {
        schema: {
          ...base,
          summary: '共享申请列表（本单位作为申请方或提供方） / list share requests',
          querystring: RequestListQuery,
          response: { 200: Type.Array(ShareRequest), ...errors },
        },
      },
      (req) => sharing.listRequests(req.actor, req.query.status),
    );
    app.get('/sharing/requests/:id', one('共享申请详情 / a share request', ShareRequest), (req) =>
      sharing.getRequest(req.actor, req.params.id),
    );
    app.post(
      '/sharing/requests/:id/decision',
      one('审批：同意（含授权条件）、不同意（须说明理由）、退回补充 / decide', ShareRequest, {
        body: Decision,
      }),
      (req) => {
        const { terms, ...rest } = req.body;
        return sharing.decide(req.actor, req.params.id, {
          ...rest,
          ...(terms ? { terms: terms as GrantTerms } : {}),
        });
      },
    );
    app.post('/sharing/requests/:id/resubmit', one('补充后重新提交 / resubmit', ShareRequest), (req) =>
      sharing.resubmit(req.actor, req.params.id),
    );
    app.post(
      '/sharing/requests/:id/withdraw',
      one('撤回申请 / withdraw', ShareRequest, { body: OptionalReason }),
      (req) => sharing.withdraw(req.actor, req.params.id, req.body?.reason),
    );
    app.post(
      '/sharing/requests/:id/coordination',
      one('申请数据局协调 / ask the data bureau to coordinate', ShareRequest, { body: ReasonBody }),
      (req) => sharing.requestCoordination(req.actor, req.params.id, req.body.reason),
    );
    app.post(
      '/sharing/requests/:id/coordinate',
      one('数据局协调结果 / the bureau’s coordination outcome', ShareRequest, { body: Coordinate }),
      (req) => {
        const { terms, ...rest } = req.body;
        return sharing.coordinate(req.actor, req.params.id, {
          ...rest,
          ...(terms ? { terms: terms as GrantTerms } : {}),
        });
      },
    );
    app.get(
      '/sharing/grants',
      {
        schema: {
          ...base,
          summary: '授权列表 / list grants',
          querystring: NoQuery,
          response: { 200: Type.Array(Grant), ...errors },
        },
      },
      (req) => sharing.listGrants(req.actor),
    );
    app.get('/sharing/grants/:id', one('授权详情 / a grant', Grant), (req) =>
      sharing.getGrant(req.actor, req.params.id),
    );
    app.post(
      '/sharing/grants/:id/suspend',
      one('暂停授权（立即生效） / suspend', Grant, { body: ReasonBody }),
      (req) => sharing.suspendGrant(req.actor, req.params.id, req.body.reason),
    );
    app.post('/sharing/grants/:id/resume', one('恢复授权 / resume', Grant), (req) =>
      sharing.resumeGrant(req.actor, req.params.id),
    );
    app.post(
      '/sharing/grants/:id/revoke',
      one('撤销授权（立即生效，含已打开的流） / revoke', Grant, { body: ReasonBody }),
      (req) => sharing.revokeGrant(req.actor, req.params.id, req.body.reason),
    );
    app.post('/sharing/grants/:id/renew', one('续期 / renew', Grant, { body: Renew }), (req) =>
      sharing.renewGrant(req.actor, req.params.id, req.body.validTo),
    );
    app.post(
      '/sharing/objections',
      {
        schema: {
          ...base,
          summary: '提出数据异议 / report a wrong record or item',
          body: ObjectionCreate,
          response: { 201: Objection, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await sharing.reportObjection(req.actor, req.body)),
    );
    app.get(
      '/sharing/objections',
      {
        schema: {
          ...base,
          summary: '数据异议列表 / list objections',
          querystring: NoQuery,
          response: { 200: Type.Array(Objection), ...errors },
        },
      },
      (req) => sharing.listObjections(req.actor),
    );
    app.get('/sharing/objections/:id', one('数据异议详情 / an objection', Objection), (req) =>
      sharing.getObjection(req.actor, req.params.id),
    );
    app.post(
      '/sharing/objections/:id/resolve',
      one('提供方核实：更正或驳回（须说明理由），并告知申请方 / correct or reject', Objection, {
        body: ObjectionResolve,
      }),
      (req) => sharing.resolveObjection(req.actor, req.params.id, req.body),
    );
    app.get(
      '/sharing/rules',
      {
        schema: {
          ...base,
          summary: '区域共享规则（数据局复核条件、时限、日历） / region rule',
          querystring: NoQuery,
          response: { 200: RegionRuleOut, ...errors },
        },
      },
      (req) => sharing.regionRule(req.actor),
    );
    app.get(
      '/sharing/calendar',
      {
        schema: {
          ...base,
          summary: '某年的工作日历：国家节假日与调休，及本区域的调整 / the working calendar of a year',
          querystring: CalendarQuery,
          response: { 200: CalendarYearOut, ...errors },
        },
      },
      (req) => sharing.calendar(req.actor, req.query.year),
    );
    app.put(
      '/sharing/rules',
      {
        schema: {
          ...base,
          summary: '设置区域共享规则（数据局） / set the region rule',
          body: RegionRule,
          querystring: NoQuery,
          response: { 200: RegionRuleOut, ...errors },
        },
      },
      (req) => sharing.setRegionRule(req.actor, req.body as never),
    );
    app.post(
      '/sharing/deadlines/sweep',
      {
        schema: {
          ...base,
          summary: '立即执行时限检查：到期提醒审批人，超期升级数据局（数据局） / run the deadline sweep now',
          querystring: NoQuery,
          response: { 200: SweepResult, ...errors },
        },
      },
      (req) => sharing.sweepDeadlines(req.actor),
    );
    app.get(
      '/sharing/notifications',
      {
        schema: {
          ...base,
          summary: '我的共享通知（时限提醒、超期升级） / my sharing notifications',
          querystring: NotificationQuery,
          response: { 200: NotificationList, ...errors },
        },
      },
      async (req) => ({ items: await sharing.notifications(req.actor, { unread: req.query.unread }) }),
    );
    app.post(
      '/sharing/notifications/read',
      {
        schema: {
          ...base,
          summary: '标记通知为已读（指定或全部） / mark notifications read',
          querystring: NoQuery,
          body: NotificationRead,
          response: { 200: NotificationReadResult, ...errors },
        },
      },
      (req) => sharing.markNotificationsRead(req.actor, req.body.ids ?? 'all'),
    );
  };
}
