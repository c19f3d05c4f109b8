import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Query } from '../contracts/common.js';
import { SECURED } from '../identity/auth.hooks.js';
import type { LedgerService } from './ledger.service.js';

const Event = Type.Object({
  id: Type.Integer(),
  occurredAt: Type.String({ format: 'date-time' }),
  type: Type.String(),
  actor: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  orgId: Type.Union([Type.String(), Type.Null()]),
  subject: Type.Object({
    type: Type.Union([Type.String(), Type.Null()]),
    id: Type.Union([Type.String(), Type.Null()]),
  }),
  data: Type.Record(Type.String(), Type.Unknown()),
  requestId: Type.Union([Type.String(), Type.Null()]),
});

const EventQuery = Query({
  afterId: Type.Optional(Type.Integer({ minimum: 0 })),
  type: Type.Optional(Type.String({ maxLength: 100 })),
  subjectType: Type.Optional(Type.String({ maxLength: 50 })),
  subjectId: Type.Optional(Type.String({ maxLength: 100 })),
  orgId: Type.Optional(Type.String({ maxLength: 100 })),
  actorId: Type.Optional(Type.String({ maxLength: 100 })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

/** Audit events for the auditor: filter by type, subject, org, actor and time; page with afterId. */
export function ledgerRoutes(deps: { ledger: LedgerService }) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/ledger/events',
      {
        schema: {
          tags: ['ledger'],
          summary: '审计事件 / audit events (auditor)',
          security: SECURED,
          querystring: EventQuery,
          response: {
            200: Type.Array(Event),
            400: { $ref: 'ErrorEnvelope#' },
            401: { $ref: 'ErrorEnvelope#' },
            403: { $ref: 'ErrorEnvelope#' },
          },
        },
      },
      (req) => {
        const q = req.query;
        return deps.ledger.list(req.actor, {
          afterId: q.afterId,
          type: q.type,
          subjectType: q.subjectType,
          subjectId: q.subjectId,
          orgId: q.orgId,
          actorId: q.actorId,
          since: q.since ? new Date(q.since) : undefined,
          until: q.until ? new Date(q.until) : undefined,
          ...(q.limit ? { limit: q.limit } : {}),
        });
      },
    );
  };
}
