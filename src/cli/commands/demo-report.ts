import { demoResident } from '../../demo/demo-sharing.js';
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
  if (report.grants.length > 0) {
    process.stdout.write(`${msg('cli.demoGrants')}\n`);
    printTable(report.grants as never, ['app', 'grantId', 'modes', 'resource']);
    const g = report.grants[0]!;
    const r0 = demoResident(0);
    process.stdout.write(
      `${msg('cli.demoGrantTry', { grant: g.grantId, app: g.app })}\n` +
        `  curl -H "x-api-key: <${g.app}>" http://127.0.0.1:8080/api/v1/data/grants/${g.grantId}/rows?limit=5\n` +
        `  curl -H "x-api-key: <${g.app}>" -H 'content-type: application/json' -d '${JSON.stringify({ key: { 公民身份号码: r0['公民身份号码'] }, claims: { 姓名: r0['姓名'] } })}' http://127.0.0.1:8080/api/v1/data/grants/${g.grantId}/verify\n`,
    );
  }
}
