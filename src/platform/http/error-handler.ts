import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { t } from '../i18n/i18n.js';

interface Envelope {
  error: { code: string; message: string; details?: unknown };
  requestId: string;
}

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: string,
  message: string,
  details?: unknown,
) {
  const body: Envelope = {
    error: { code, message, ...(details === undefined ? {} : { details }) },
    requestId: request.id,
  };
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

type Issue = { instancePath: string; keyword: string; message?: string | undefined; params: unknown };

/** Schema errors → `[{ in, field, rule, message }]`, one per offending field, unknown fields named. */
function validationDetails(issues: readonly Issue[], where: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  const path = (p: string) => p.replace(/^\//, '').replace(/\//g, '.');
  for (const v of issues) {
    const params = (v.params ?? {}) as Record<string, unknown>;
    const field = path(v.instancePath);
    if (v.keyword === 'boolean') {
      out.push({ in: where, field, rule: 'unknownField', message: 'unknown field' });
    } else if (v.keyword === 'additionalProperties') {
      const extra = [params.additionalProperty ?? params.additionalProperties].flat().filter(Boolean);
      for (const name of extra) {
        out.push({
          in: where,
          field: [field, String(name)].filter(Boolean).join('.'),
          rule: 'unknownField',
          message: 'unknown field',
        });
      }
    } else if (v.keyword === 'required') {
      const missing = [params.missingProperty ?? params.requiredProperties].flat().filter(Boolean);
      for (const name of missing) {
        out.push({
          in: where,
          field: [field, String(name)].filter(Boolean).join('.'),
          rule: 'required',
          message: 'required',
        });
      }
    } else {
      out.push({ in: where, field, rule: v.keyword, message: v.message ?? '' });
    }
  }
  // The same field may be reported twice (as a false schema and as an additional property).
  return out.filter((d, i) => out.findIndex((o) => o.field === d.field && o.rule === d.rule) === i);
}

/** Fastify's own client errors (bad JSON, size, media type, validation) → stable codes. */
function frameworkError(
  error: FastifyError,
): { status: number; code: string; key: string; details?: unknown } | undefined {
  if (error.validation) {
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      key: 'error.validation',
      details: validationDetails(error.validation, error.validationContext ?? 'body'),
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
      return send(
        reply,
        request,
        error.status,
        error.code,
        t(request.lang, error.messageKey, error.params),
        error.details,
      );
    }
    const known = frameworkError(error);
    if (known) {
      return send(reply, request, known.status, known.code, t(request.lang, known.key), known.details);
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, request, 500, 'INTERNAL', t(request.lang, 'error.internal'));
  });

  app.setNotFoundHandler((request, reply) =>
    send(
      reply,
      request,
      404,
      'ROUTE_NOT_FOUND',
      t(request.lang, 'error.routeNotFound', {
        method: request.method,
        url: request.url.split('?')[0] ?? '',
      }),
    ),
  );
}
