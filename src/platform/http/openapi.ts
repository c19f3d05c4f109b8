import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ErrorEnvelope } from '../../contracts/common.js';

export const API_VERSION = '0.1.0';

/** OpenAPI 3.1 generated from the route schemas, at /api/openapi.json, browsable at /api/docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(ErrorEnvelope);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'govhub API — 一体化政务数据平台',
        version: API_VERSION,
        description:
          '政务数据目录、共享授权、受控数据访问与可验证账本的开放接口。Errors always use the envelope ' +
          '`{ error: { code, message, details }, requestId }`. Messages follow `Accept-Language` or `?lang=` (zh-CN default, en).',
      },
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'govhub_session',
            description: '浏览器会话 (send x-csrf-token on unsafe methods)',
          },
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'Bearer token from POST /api/v1/auth/token, or an API key (ghk_…)',
          },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: '应用 API 密钥 (ghk_…)' },
        },
      },
      tags: [
        { name: 'auth', description: '登录与会话 / sign-in and sessions' },
        { name: 'identity', description: '组织、用户、应用与密钥 / organizations, users, apps and keys' },
        { name: 'ledger', description: '审计事件 / audit events' },
        { name: 'system', description: '运行状态 / health and metrics' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () =>
    app.swagger(),
  );
}
