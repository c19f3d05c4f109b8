import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `vite build` writes the single-page app (vite outDir), next to the compiled server in dist/. */
export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');

// Scripts, styles, images and fonts only come from this origin; the app talks to its own API.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the built web portal and console at `/`: hashed assets under /assets with a year-long
 * immutable cache, everything else that is a file as-is, and index.html (never cached) for any other
 * path so the client-side router can take it. /api/* and /healthz never fall back to the app.
 * The route is always registered (so the route table does not depend on whether the UI was built);
 * without a build it answers 404 with the usual error envelope.
 */
export async function registerWeb(app: FastifyInstance, root: string = WEB_ROOT): Promise<void> {
  await app.register(fastifyStatic, { root, serve: false });
  const built = () => fs.existsSync(path.join(root, 'index.html'));

  app.get('/*', { schema: { hide: true }, config: { rateLimit: false } }, async (req, reply) => {
    let url: string;
    try {
      url = decodeURIComponent(req.url.split('?')[0] ?? '/');
    } catch {
      return reply.callNotFound();
    }
    if (url.startsWith('/api/') || url === '/api' || url === '/healthz' || !built()) {
      return reply.callNotFound();
    }
    void reply.header('x-content-type-options', 'nosniff');
    const rel = path.posix.normalize(url).replace(/^\/+/, '');
    const file = path.join(root, rel);
    const isFile =
      rel !== '' &&
      file.startsWith(root + path.sep) &&
      fs.statSync(file, { throwIfNoEntry: false })?.isFile();
    if (isFile && rel.startsWith('assets/')) {
      return reply.sendFile(rel, { maxAge: '365d', immutable: true });
    }
    if (isFile && rel !== 'index.html') {
      return reply.sendFile(rel, { maxAge: '1h' });
    }
    void reply.header('content-security-policy', CSP);
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'same-origin');
    void reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', { cacheControl: false });
  });
}
