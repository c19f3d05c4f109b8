import { buildApp } from '../../app.js';
import type { DemoReport } from '../../demo/demo.service.js';
import { openContext } from '../context.js';
import { msg, printTable } from '../output.js';

export interface ServeOptions {
  port?: number | undefined;
  host?: string | undefined;
  demo?: boolean | undefined;
}

export function printDemo(report: DemoReport): void {
  process.stdout.write(
    `${report.seeded ? msg('cli.demoSeeded', { orgs: report.orgs, users: report.users, apps: report.apps }) : msg('cli.demoExisting')}\n`,
  );
  process.stdout.write(`${msg('cli.demoLogins', { password: report.password })}\n`);
  const shown = report.logins.filter(
    (l) =>
      !/\.(approver|dev)$/.test(l.username) ||
      l.username.startsWith('psb.') ||
      l.username.startsWith('hrss.'),
  );
  printTable(
    shown.map((l) => ({ username: l.username, roles: l.roles, org: l.org })),
    ['username', 'roles', 'org'],
  );
  if (report.keys.length > 0) {
    process.stdout.write(`${msg('cli.demoKeys')}\n`);
    printTable(report.keys, ['app', 'org', 'key']);
  }
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
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: ctx.config.port, host: ctx.config.host });
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
