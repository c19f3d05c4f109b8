import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { t } from '../i18n/i18n.js';

interface Envelope {
  error: { code: string; message: string; details?: unknown };
  requestId: string;
}

function send(reply: FastifyReply, request: FastifyRequest, status: number, code: string, message: string, details?: unknown) {
  const body: Envelope = { error: { code, message, ...(details === undefined ? {} : { details }) }, requestId: request.id };
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** Fastify's own client errors (bad JSON, size, media type, validation) → stable codes. */
function frameworkError(error: FastifyError): { status: number; code: string; key: string; details?: unknown } | undefined {
  if (error.validation) {
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      key: 'error.validation',
      details: error.validation.map((v) => ({
        in: error.validationContext ?? 'body',
        field: v.instancePath.replace(/^\//, '').replace(/\//g, '.') || (v.params as { missingProperty?: string; additionalProperty?: string }).missingProperty || (v.params as { additionalProperty?: string }).additionalProperty || '',
        rule: v.keyword,
        message: v.message ?? '',
        ...((v.params as { additionalProperty?: string }).additionalProperty
          ? { unknownField: (v.params as { additionalProperty?: string }).additionalProperty }
          : {}),
      })),
    };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'MALFORMED_JSON', key: 'error.malformedJson' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'BODY_TOO_LARGE', key: 'error.bodyTooLarge' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', key: 'error.unsupportedMediaType' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'BAD_REQUEST', key: 'error.badRequest' };
    default:
      if (error instanceof SyntaxError || error.statusCode === 400) {
        return { status: 400, code: 'BAD_REQUEST', key: 'error.badRequest' };
      }
      return undefined;
  }
}

/** The one place errors become HTTP answers: `{ error: { code, message, details }, requestId }`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) {
        request.log.error({ err: error }, 'request failed');
      }
      return send(reply, request, error.status, error.code, t(request.lang, error.messageKey, error.params), error.details);
    }
    const known = frameworkError(error);
    if (known) {
      return send(reply, request, known.status, known.code, t(request.lang, known.key), known.details);
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, request, 500, 'INTERNAL', t(request.lang, 'error.internal'));
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, request, 404, 'ROUTE_NOT_FOUND', t(request.lang, 'error.routeNotFound', { method: request.method, url: request.url.split('?')[0] ?? '' })),
  );
}
