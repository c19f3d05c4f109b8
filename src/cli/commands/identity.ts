import type { Command } from 'commander';
import { ApiKeyCreate, AppCreate, OrgCreate, OrgUpdate, UserCreate } from '../../contracts/identity.js';
import { SYSTEM } from '../../identity/actor.js';
import { L, msg, printJson, printTable, validateInput } from '../output.js';
import { run } from './run.js';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const JSON_OPT = ['--json', L('以 JSON 输出', 'print JSON')] as const;

/** org / user / app / key management as the local operator (the CLI runs on the node itself). */
export function identityCommands(program: Command): void {
  const org = program.command('org').description(L('组织机构管理', 'Manage organizations'));
  org
    .command('list')
    .description(L('列出组织机构', 'List organizations'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'org list', async (ctx) => {
        const orgs = await ctx.services.orgs.list(SYSTEM);
        return o.json ? printJson(orgs) : printTable(orgs, ['code', 'name', 'kind', 'regionCode', 'id']);
      }),
    );
  org
    .command('create')
    .description(L('创建组织机构', 'Create an organization'))
    .requiredOption('--code <code>', L('机构代码', 'organization code'))
    .requiredOption('--name <name>', L('名称', 'name'))
    .requiredOption('--kind <kind>', 'region | data_bureau | department | operator | auditor')
    .option('--name-en <name>', L('英文名称', 'English name'))
    .option('--parent <ref>', L('上级机构（id、代码或名称）', 'parent (id, code or name)'))
    .option('--region-code <code>', L('行政区划代码', 'administrative division code'))
    .option(...JSON_OPT)
    .action(
      (o: {
        code: string;
        name: string;
        kind: string;
        nameEn?: string;
        parent?: string;
        regionCode?: string;
        json?: boolean;
      }) =>
        run(o, 'org create', async (ctx) => {
          const parentId = o.parent ? (await ctx.services.orgs.get(SYSTEM, o.parent)).id : undefined;
          const input = validateInput(OrgCreate, {
            code: o.code,
            name: o.name,
            kind: o.kind,
            ...(o.nameEn ? { nameEn: o.nameEn } : {}),
            ...(parentId ? { parentId } : {}),
            ...(o.regionCode ? { regionCode: o.regionCode } : {}),
          });
          const created = await ctx.services.orgs.create(SYSTEM, input);
          return o.json
            ? printJson(created)
            : process.stdout.write(
                `${msg('cli.created', { what: `${created.code} ${created.name} (${created.id})` })}\n`,
              );
        }),
    );
  org
    .command('update')
    .argument('<ref>', L('机构 id、代码或名称', 'organization id, code or name'))
    .description(L('修改组织机构', 'Update an organization'))
    .option('--name <name>', L('名称', 'name'))
    .option('--parent <ref>', L('上级机构', 'parent'))
    .option('--region-code <code>', L('行政区划代码', 'administrative division code'))
    .option(...JSON_OPT)
    .action((ref: string, o: { name?: string; parent?: string; regionCode?: string; json?: boolean }) =>
      run(o, 'org update', async (ctx) => {
        const target = await ctx.services.orgs.get(SYSTEM, ref);
        const parentId = o.parent ? (await ctx.services.orgs.get(SYSTEM, o.parent)).id : undefined;
        const patch = validateInput(OrgUpdate, {
          ...(o.name ? { name: o.name } : {}),
          ...(parentId ? { parentId } : {}),
          ...(o.regionCode ? { regionCode: o.regionCode } : {}),
        });
        const updated = await ctx.services.orgs.update(SYSTEM, target.id, patch);
        return o.json
          ? printJson(updated)
          : process.stdout.write(`${msg('cli.updated', { what: `${updated.code} ${updated.name}` })}\n`);
      }),
    );

  const user = program.command('user').description(L('用户管理', 'Manage users'));
  user
    .command('list')
    .description(L('列出用户', 'List users'))
    .option('--org <ref>', L('只列出该机构的用户', 'only users of this organization'))
    .option(...JSON_OPT)
    .action((o: { org?: string; json?: boolean }) =>
      run(o, 'user list', async (ctx) => {
        const orgId = o.org ? (await ctx.services.orgs.get(SYSTEM, o.org)).id : undefined;
        const users = await ctx.services.users.list(SYSTEM, { orgId });
        return o.json
          ? printJson(users)
          : printTable(users, ['username', 'displayName', 'roles', 'status', 'locked']);
      }),
    );
  user
    .command('create')
    .description(L('创建用户', 'Create a user'))
    .requiredOption('--username <name>', L('用户名', 'username'))
    .requiredOption('--name <displayName>', L('姓名', 'display name'))
    .requiredOption('--org <ref>', L('所属机构（id、代码或名称）', 'organization (id, code or name)'))
    .option(
      '--password <password>',
      L('初始密码（也可用环境变量 GOVHUB_PASSWORD）', 'initial password (or env GOVHUB_PASSWORD)'),
    )
    .option('--roles <roles>', L('角色，逗号分隔', 'comma-separated roles'))
    .option('--email <email>', L('电子邮箱', 'email'))
    .option(...JSON_OPT)
    .action(
      (o: {
        username: string;
        name: string;
        org: string;
        password?: string;
        roles?: string;
        email?: string;
        json?: boolean;
      }) =>
        run(o, 'user create', async (ctx) => {
          const orgId = (await ctx.services.orgs.get(SYSTEM, o.org)).id;
          const password = o.password ?? process.env.GOVHUB_PASSWORD;
          const input = validateInput(UserCreate, {
            username: o.username,
            displayName: o.name,
            orgId,
            ...(password ? { password } : {}),
            ...(o.roles ? { roles: list(o.roles) } : {}),
            ...(o.email ? { email: o.email } : {}),
          });
          const created = await ctx.services.users.create(SYSTEM, input);
          return o.json
            ? printJson(created)
            : process.stdout.write(
                `${msg('cli.created', { what: `${created.username} (${created.id})` })}\n`,
              );
        }),
    );
  user
    .command('roles')
    .argument('<user>', L('用户 id 或用户名', 'user id or username'))
    .argument('<roles>', L('角色，逗号分隔（空字符串表示清空）', 'comma-separated roles ("" clears)'))
    .description(L('设置用户角色（三权分立校验）', 'Set a user’s roles (separation of duties checked)'))
    .option(...JSON_OPT)
    .action((ref: string, roles: string, o: { json?: boolean }) =>
      run(o, 'user roles', async (ctx) => {
        const target = await ctx.services.users.get(SYSTEM, ref);
        const updated = await ctx.services.users.setRoles(SYSTEM, target.id, list(roles));
        return o.json
          ? printJson(updated)
          : process.stdout.write(
              `${msg('cli.updated', { what: `${updated.username}: ${updated.roles.join(',')}` })}\n`,
            );
      }),
    );
  user
    .command('password')
    .argument('<user>', L('用户 id 或用户名', 'user id or username'))
    .description(
      L(
        '重置密码（从环境变量 GOVHUB_PASSWORD 读取新密码）',
        'Reset a password (new password from env GOVHUB_PASSWORD)',
      ),
    )
    .option('--password <password>', L('新密码', 'new password'))
    .option(...JSON_OPT)
    .action((ref: string, o: { password?: string; json?: boolean }) =>
      run(o, 'user password', async (ctx) => {
        const target = await ctx.services.users.get(SYSTEM, ref);
        await ctx.services.users.resetPassword(
          SYSTEM,
          target.id,
          o.password ?? process.env.GOVHUB_PASSWORD ?? '',
        );
        return o.json
          ? printJson({ ok: true })
          : process.stdout.write(`${msg('cli.updated', { what: target.username })}\n`);
      }),
    );
  for (const [verb, zh, en] of [
    ['unlock', '解除登录锁定', 'Unlock a user locked out by failed logins'],
    ['disable', '停用用户（并结束其会话）', 'Disable a user (and end their sessions)'],
    ['enable', '启用用户', 'Enable a user'],
  ] as const) {
    user
      .command(verb)
      .argument('<user>', L('用户 id 或用户名', 'user id or username'))
      .description(L(zh, en))
      .option(...JSON_OPT)
      .action((ref: string, o: { json?: boolean }) =>
        run(o, `user ${verb}`, async (ctx) => {
          const target = await ctx.services.users.get(SYSTEM, ref);
          const updated =
            verb === 'unlock'
              ? await ctx.services.users.unlock(SYSTEM, target.id)
              : await ctx.services.users.update(SYSTEM, target.id, {
                  status: verb === 'disable' ? 'disabled' : 'active',
                });
          return o.json
            ? printJson(updated)
            : process.stdout.write(`${msg('cli.updated', { what: updated.username })}\n`);
        }),
      );
  }

  const app = program.command('app').description(L('应用（服务账号）管理', 'Manage apps (service accounts)'));
  app
    .command('list')
    .description(L('列出应用', 'List apps'))
    .option('--org <ref>', L('只列出该机构的应用', 'only apps of this organization'))
    .option(...JSON_OPT)
    .action((o: { org?: string; json?: boolean }) =>
      run(o, 'app list', async (ctx) => {
        const orgId = o.org ? (await ctx.services.orgs.get(SYSTEM, o.org)).id : undefined;
        const apps = await ctx.services.apps.list(SYSTEM, { orgId });
        return o.json ? printJson(apps) : printTable(apps, ['name', 'orgId', 'roles', 'status', 'id']);
      }),
    );
  app
    .command('create')
    .description(L('创建应用', 'Create an app'))
    .requiredOption('--name <name>', L('应用名称', 'app name'))
    .requiredOption('--org <ref>', L('所属机构', 'organization'))
    .option('--description <text>', L('说明', 'description'))
    .option(
      '--roles <roles>',
      L('业务角色，逗号分隔（默认 consumer）', 'business roles, comma-separated (default consumer)'),
    )
    .option(...JSON_OPT)
    .action((o: { name: string; org: string; description?: string; roles?: string; json?: boolean }) =>
      run(o, 'app create', async (ctx) => {
        const orgId = (await ctx.services.orgs.get(SYSTEM, o.org)).id;
        const input = validateInput(AppCreate, {
          name: o.name,
          orgId,
          ...(o.description ? { description: o.description } : {}),
          ...(o.roles ? { roles: list(o.roles) } : {}),
        });
        const created = await ctx.services.apps.create(SYSTEM, input);
        return o.json
          ? printJson(created)
          : process.stdout.write(`${msg('cli.created', { what: `${created.name} (${created.id})` })}\n`);
      }),
    );

  const key = program.command('key').description(L('应用 API 密钥管理', 'Manage app API keys'));
  key
    .command('list')
    .argument('<app>', L('应用 id', 'app id'))
    .description(L('列出应用的密钥（不显示密钥本身）', 'List an app’s keys (never the secrets)'))
    .option(...JSON_OPT)
    .action((appId: string, o: { json?: boolean }) =>
      run(o, 'key list', async (ctx) => {
        const keys = await ctx.services.apps.listKeys(SYSTEM, appId);
        return o.json
          ? printJson(keys)
          : printTable(keys, ['id', 'name', 'scopes', 'expiresAt', 'revokedAt', 'lastUsedAt']);
      }),
    );
  key
    .command('create')
    .argument('<app>', L('应用 id', 'app id'))
    .description(L('签发密钥（仅显示一次）', 'Issue a key (shown once)'))
    .requiredOption('--name <name>', L('密钥名称', 'key name'))
    .option(
      '--scopes <scopes>',
      L(
        '权限范围，逗号分隔（默认为应用角色的全部权限）',
        'comma-separated scopes (default: all of the app’s role permissions)',
      ),
    )
    .option('--days <n>', L('有效天数（默认 365）', 'days until it expires (default 365)'))
    .option(...JSON_OPT)
    .action((appId: string, o: { name: string; scopes?: string; days?: string; json?: boolean }) =>
      run(o, 'key create', async (ctx) => {
        const input = validateInput(ApiKeyCreate, {
          name: o.name,
          ...(o.scopes ? { scopes: list(o.scopes) } : {}),
          ...(o.days ? { expiresInDays: Number(o.days) } : {}),
        });
        const created = await ctx.services.apps.createKey(SYSTEM, appId, input);
        if (o.json) {
          return printJson(created);
        }
        process.stdout.write(`${msg('cli.keySecret')}\n${created.secret}\n`);
      }),
    );
  key
    .command('revoke')
    .argument('<app>', L('应用 id', 'app id'))
    .argument('<key>', L('密钥 id', 'key id'))
    .description(L('吊销密钥（立即生效）', 'Revoke a key (effective at once)'))
    .option(...JSON_OPT)
    .action((appId: string, keyId: string, o: { json?: boolean }) =>
      run(o, 'key revoke', async (ctx) => {
        const revoked = await ctx.services.apps.revokeKey(SYSTEM, appId, keyId);
        return o.json
          ? printJson(revoked)
          : process.stdout.write(`${msg('cli.revoked', { key: revoked.id })}\n`);
      }),
    );
}
