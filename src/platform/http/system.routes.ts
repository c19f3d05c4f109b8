import type { FastifyInstance } from 'fastify';
import { type Database, pingDatabase } from '../db/database.js';
import { API_VERSION } from './openapi.js';

/** Liveness and readiness: 200 when the store answers, 503 otherwise. */
export function systemRoutes(deps: { database: Database }) {
  return async (app: FastifyInstance) => {
    app.get(
      '/healthz',
      {
        config: { rateLimit: false },
        schema: {
          tags: ['system'],
          summary: '健康检查 / health check',
          response: {
            200: {
              type: 'object',
              properties: {
                status: { type: 'string' },
                storage: { type: 'string' },
                version: { type: 'string' },
              },
            },
            503: {
              type: 'object',
              properties: {
                status: { type: 'string' },
                storage: { type: 'string' },
                version: { type: 'string' },
              },
            },
          },
        },
      },
      async (_request, reply) => {
        const storage = deps.database.kind;
        if (await pingDatabase(deps.database.db)) {
          return { status: 'ok', storage, version: API_VERSION };
        }
        return reply.status(503).send({ status: 'unavailable', storage, version: API_VERSION });
      },
    );
  };
}
