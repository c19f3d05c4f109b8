import type { FastifyInstance } from 'fastify';
import { type Lang, langFromAcceptLanguage, parseLang } from '../i18n/i18n.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The language answers are written in: ?lang=, then Accept-Language, then GOVHUB_LANG. */
    lang: Lang;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller-supplied x-request-id is kept when well-formed, so ids follow a call across systems. */
export function requestIdFrom(header: string | string[] | undefined, fallback: () => string): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : fallback();
}

export function registerRequestContext(app: FastifyInstance, defaultLang: Lang): void {
  app.decorateRequest('lang', defaultLang);
  app.addHook('onRequest', async (request, reply) => {
    const q = request.query as Record<string, unknown> | undefined;
    const fromQuery = typeof q?.lang === 'string' ? q.lang : undefined;
    request.lang = fromQuery
      ? parseLang(fromQuery)
      : langFromAcceptLanguage(request.headers['accept-language'], defaultLang);
    void reply.header('x-request-id', request.id);
  });
}
