import fs from 'node:fs';
import type { Command } from 'commander';
import { SYSTEM } from '../../identity/actor.js';
import { ValidationError } from '../../platform/errors.js';
import type { RequestInput } from '../../sharing/sharing.service.js';
import { L, printJson, printTable } from '../output.js';
import { run } from './run.js';

const JSON_OPT = ['--json', L('以 JSON 输出', 'print JSON')] as const;
const REQUEST_COLUMNS = ['id', 'status', 'requesterOrgId', 'providerOrgId', 'purpose', 'dueAt'];
const GRANT_COLUMNS = ['id', 'status', 'consumerOrgId', 'resourceId', 'modes', 'validTo'];

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValidationError('CONFIG_INVALID', 'error.configInvalid', {
      params: { name: '--file', value: `${file}: ${(e as Error).message}` },
    });
  }
}

/** `govhub request …` and `govhub grant …`: share requests and grants, as the local operator. */
export function sharingCommands(program: Command): void {
  const request = program.command('request').description(L('共享申请', 'Share requests'));
  request
    .command('list')
    .description(L('列出共享申请', 'List share requests'))
    .option('--status <status>', L('按状态筛选', 'filter by status'))
    .option(...JSON_OPT)
    .action((o: { status?: string; json?: boolean }) =>
      run(o, 'request list', async (ctx) => {
        const list = await ctx.services.sharing.listRequests(SYSTEM, o.status);
        return o.json ? printJson(list) : printTable(list as never, REQUEST_COLUMNS);
      }),
    );
  request
    .command('show <id>')
    .description(L('查看共享申请（含步骤与时限）', 'Show a share request with its steps and deadlines'))
    .option(...JSON_OPT)
    .action((id: string, o: { json?: boolean }) =>
      run(o, 'request show', async (ctx) => {
        const r = await ctx.services.sharing.getRequest(SYSTEM, id);
        if (o.json) {
          return printJson(r);
        }
        printTable([r as never], REQUEST_COLUMNS);
        printTable(r.steps as never, ['stage', 'startedAt', 'dueAt', 'decidedAt', 'outcome', 'reason']);
      }),
    );
  request
    .command('create')
    .description(
      L(
        '由 JSON 文件提出申请（requesterOrgId、resources、purpose、scenario、legalBasis、modes、validTo）',
        'Create a request from a JSON file (requesterOrgId, resources, purpose, scenario, legalBasis, modes, validTo)',
      ),
    )
    .requiredOption('--file <file>', L('申请 JSON 文件', 'the request as JSON'))
    .option(...JSON_OPT)
    .action((o: { file: string; json?: boolean }) =>
      run(o, 'request create', async (ctx) => {
        const r = await ctx.services.sharing.createRequest(SYSTEM, readJson(o.file) as RequestInput);
        return o.json ? printJson(r) : printTable([r as never], REQUEST_COLUMNS);
      }),
    );
  request
    .command('decide <id>')
    .description(L('审批：同意、不同意（须理由）或退回', 'Decide: approve, refuse (with a reason) or return'))
    .requiredOption('--decision <decision>', 'approve | refuse | return')
    .option('--reason <reason>', L('理由', 'reason'))
    .option(
      '--terms <file>',
      L('授权条件 JSON 文件（行过滤、脱敏、配额）', 'grant terms as JSON (row filter, masking, quota)'),
    )
    .option(...JSON_OPT)
    .action((id: string, o: { decision: string; reason?: string; terms?: string; json?: boolean }) =>
      run(o, 'request decide', async (ctx) => {
        if (!['approve', 'refuse', 'return'].includes(o.decision)) {
          throw new ValidationError('CONFIG_INVALID', 'error.configInvalid', {
            params: { name: '--decision', value: o.decision },
          });
        }
        const r = await ctx.services.sharing.decide(SYSTEM, id, {
          decision: o.decision as 'approve',
          ...(o.reason ? { reason: o.reason } : {}),
          ...(o.terms ? { terms: readJson(o.terms) as never } : {}),
        });
        return o.json ? printJson(r) : printTable([r as never], REQUEST_COLUMNS);
      }),
    );
  request
    .command('escalate')
    .description(L('将超期申请升级至数据局', 'Escalate overdue requests to the data bureau'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'request escalate', async (ctx) => {
        const ids = await ctx.services.sharing.escalateOverdue(SYSTEM);
        return o.json
          ? printJson({ escalated: ids })
          : printTable(
              ids.map((id) => ({ id })),
              ['id'],
            );
      }),
    );

  request
    .command('sweep')
    .description(
      L(
        '时限检查：到期提醒审批人，超期升级数据局',
        'Deadline sweep: remind approvers, escalate overdue requests to the bureau',
      ),
    )
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'request sweep', async (ctx) => {
        const r = await ctx.services.sharing.sweepDeadlines(SYSTEM);
        return o.json
          ? printJson(r)
          : printTable(
              [
                ...r.reminded.map((x) => ({ id: x.requestId, action: `remind ${x.workingDaysLeft}` })),
                ...r.escalated.map((id) => ({ id, action: 'escalate' })),
              ],
              ['id', 'action'],
            );
      }),
    );

  const grant = program.command('grant').description(L('授权', 'Grants'));
  grant
    .command('list')
    .description(L('列出授权', 'List grants'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'grant list', async (ctx) => {
        const list = await ctx.services.sharing.listGrants(SYSTEM);
        return o.json ? printJson(list) : printTable(list as never, GRANT_COLUMNS);
      }),
    );
  grant
    .command('show <id>')
    .description(L('查看授权', 'Show a grant'))
    .option(...JSON_OPT)
    .action((id: string, o: { json?: boolean }) =>
      run(o, 'grant show', async (ctx) => {
        const g = await ctx.services.sharing.getGrant(SYSTEM, id);
        return o.json ? printJson(g) : printTable([g as never], [...GRANT_COLUMNS, 'items']);
      }),
    );
  for (const [verb, zh, en] of [
    ['suspend', '暂停授权（立即生效）', 'Suspend a grant (effective at once)'],
    ['revoke', '撤销授权（立即生效，含已打开的流）', 'Revoke a grant (effective at once, open streams too)'],
  ] as const) {
    grant
      .command(`${verb} <id>`)
      .description(L(zh, en))
      .requiredOption('--reason <reason>', L('理由', 'reason'))
      .option(...JSON_OPT)
      .action((id: string, o: { reason: string; json?: boolean }) =>
        run(o, `grant ${verb}`, async (ctx) => {
          const s = ctx.services.sharing;
          const g =
            verb === 'suspend'
              ? await s.suspendGrant(SYSTEM, id, o.reason)
              : await s.revokeGrant(SYSTEM, id, o.reason);
          return o.json ? printJson(g) : printTable([g as never], GRANT_COLUMNS);
        }),
      );
  }
  grant
    .command('resume <id>')
    .description(L('恢复暂停的授权', 'Resume a suspended grant'))
    .option(...JSON_OPT)
    .action((id: string, o: { json?: boolean }) =>
      run(o, 'grant resume', async (ctx) => {
        const g = await ctx.services.sharing.resumeGrant(SYSTEM, id);
        return o.json ? printJson(g) : printTable([g as never], GRANT_COLUMNS);
      }),
    );
  grant
    .command('renew <id>')
    .description(L('授权续期', 'Renew a grant'))
    .requiredOption('--valid-to <time>', L('新的截止时间（ISO 8601）', 'new end of validity (ISO 8601)'))
    .option(...JSON_OPT)
    .action((id: string, o: { validTo: string; json?: boolean }) =>
      run(o, 'grant renew', async (ctx) => {
        const g = await ctx.services.sharing.renewGrant(SYSTEM, id, o.validTo);
        return o.json ? printJson(g) : printTable([g as never], GRANT_COLUMNS);
      }),
    );
}
