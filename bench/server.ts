import Fastify, { type FastifyInstance } from 'fastify';

/** Listens on 127.0.0.1 with an ephemeral port and returns the base URL. */
export async function listenLocal(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') {
    throw new Error('server did not bind a TCP port');
  }
  return `http://127.0.0.1:${address.port}`;
}

/** The ceiling every HTTP suite is held against: Fastify with one route and nothing else. */
export async function bareApp(): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.ready();
  return app;
}
