import { buildApp } from '../../app.js';
import { openContext } from '../context.js';
import { msg } from '../output.js';
import { printDemo } from './demo-report.js';

export interface ServeOptions {
  port?: number | undefined;
  host?: string | undefined;
  demo?: boolean | undefined;
}

/** Runs the server until SIGINT / SIGTERM, then drains requests and closes the store. */
export async function serve(opts: ServeOptions): Promise<void> {
  const ctx = await openContext('serve', {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host ? { host: opts.host } : {}),
  });
  const report = opts.demo ? await ctx.services.demo.seed() : undefined;
  const app = await buildApp(ctx.services);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) {
      return;
    }
    closing = true;
    process.stderr.write(`${msg('cli.shuttingDown')} (${signal})\n`);
    const timer = setTimeout(() => process.exit(1), 15_000);
    timer.unref();
    await app.close();
    for (const task of ctx.services.background) {
      await task.stop().catch(() => undefined);
    }
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: ctx.config.port, host: ctx.config.host });
  // Background work (the ledger's integrator and checkpoint signer) runs beside the server.
  for (const task of ctx.services.background) {
    task.start();
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : ctx.config.port;
  const url = `http://${ctx.config.host.includes(':') ? `[${ctx.config.host}]` : ctx.config.host}:${port}`;
  if (report) {
    printDemo(report);
  }
  process.stdout.write(
    `${msg('cli.storage', { kind: ctx.database.kind, location: ctx.database.location })}\n`,
  );
  process.stdout.write(`${msg('cli.docs', { url: `${url}/api/docs` })}\n`);
  process.stdout.write(`${msg('cli.serving', { url })}\n`);
}
