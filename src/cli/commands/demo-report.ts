import type { DemoReport } from '../../demo/demo.service.js';
import { msg, printTable } from '../output.js';

/** Prints what the demo seeding did and the logins to try (and API keys, the one time they exist). */
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
