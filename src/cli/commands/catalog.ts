import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { DeprecateBody, DutyCreate, ResourceCreate, ResourceUpdate } from '../../contracts/catalog.js';
import { SYSTEM } from '../../identity/actor.js';
import { L, msg, printJson, printTable, validateInput } from '../output.js';
import { run } from './run.js';

const JSON_OPT = ['--json', L('以 JSON 输出', 'print JSON')] as const;
const COMMENT_OPT = ['--comment <text>', L('审核意见', 'review comment')] as const;

/** 政务数据目录: cataloguing, review, search, lists, DCAT and the Excel sheet, as the local operator. */
export function catalogCommands(program: Command): void {
  const cat = program.command('catalog').description(L('政务数据目录', 'The government data catalog'));

  cat
    .command('search')
    .argument('[q]', L('检索词（中文可不分词）', 'query (Chinese needs no spaces)'))
    .description(L('检索已发布的信息资源', 'Search published resources'))
    .option('--provider <orgId>', L('提供方机构 id', 'provider organization id'))
    .option('--share-type <type>', 'unconditional | conditional | none')
    .option('--open-type <type>', 'unconditional | conditional | none')
    .option('--format <category>', L('格式分类', 'format category'))
    .option('--status <status>', L('按状态列出（草稿、待审……）', 'list by status (draft, submitted…)'))
    .option('--page <n>', L('页码', 'page'), '1')
    .option('--page-size <n>', L('每页条数', 'page size'), '20')
    .option(...JSON_OPT)
    .action(
      (
        q: string | undefined,
        o: {
          provider?: string;
          shareType?: string;
          openType?: string;
          format?: string;
          status?: string;
          page: string;
          pageSize: string;
          json?: boolean;
        },
      ) =>
        run(o, 'catalog search', async (ctx) => {
          const res = await ctx.services.catalog.search(SYSTEM, {
            ...(q ? { q } : {}),
            provider: o.provider,
            shareType: o.shareType,
            openType: o.openType,
            format: o.format,
            status: o.status,
            page: Number(o.page),
            pageSize: Number(o.pageSize),
          });
          if (o.json) {
            return printJson(res);
          }
          process.stdout.write(`${L('共', 'total')} ${res.total}\n`);
          return printTable(res.items, [
            'code',
            'name',
            'providerName',
            'shareType',
            'openType',
            'status',
            'version',
          ]);
        }),
    );

  cat
    .command('show')
    .argument('<ref>', L('资源 id 或代码', 'resource id or code'))
    .description(L('查看信息资源（含信息项）', 'Show a resource with its items'))
    .option(...JSON_OPT)
    .action((ref: string, o: { json?: boolean }) =>
      run(o, 'catalog show', async (ctx) => {
        const r = await ctx.services.catalog.getResource(SYSTEM, ref);
        if (o.json) {
          return printJson(r);
        }
        process.stdout.write(
          `${r.code}  ${r.name}  [${r.status} v${r.version}]  ${r.providerName}\n${r.abstract}\n`,
        );
        return printTable(r.items, [
          'name',
          'dataType',
          'length',
          'level',
          'piiKind',
          'shareType',
          'openType',
        ]);
      }),
    );

  cat
    .command('create')
    .requiredOption(
      '--file <path>',
      L('资源 JSON 文件（与 API 相同）', 'resource JSON file (same as the API)'),
    )
    .requiredOption('--provider <ref>', L('提供方机构（id、代码或名称）', 'provider (id, code or name)'))
    .description(L('新建信息资源草稿', 'Create a draft resource'))
    .option(...JSON_OPT)
    .action((o: { file: string; provider: string; json?: boolean }) =>
      run(o, 'catalog create', async (ctx) => {
        const provider = await ctx.services.orgs.get(SYSTEM, o.provider);
        const body = JSON.parse(await fs.readFile(o.file, 'utf8')) as Record<string, unknown>;
        const input = validateInput(ResourceCreate, { ...body, providerOrgId: provider.id });
        const r = await ctx.services.catalog.createResource(SYSTEM, input);
        return o.json
          ? printJson(r)
          : process.stdout.write(`${msg('cli.created', { what: `${r.code} ${r.name}` })}\n`);
      }),
    );

  cat
    .command('update')
    .argument('<ref>', L('资源 id 或代码', 'resource id or code'))
    .requiredOption('--file <path>', L('要修改的字段（JSON）', 'fields to change (JSON)'))
    .description(L('修改信息资源', 'Update a resource'))
    .option(...JSON_OPT)
    .action((ref: string, o: { file: string; json?: boolean }) =>
      run(o, 'catalog update', async (ctx) => {
        const patch = validateInput(ResourceUpdate, JSON.parse(await fs.readFile(o.file, 'utf8')));
        const r = await ctx.services.catalog.updateResource(SYSTEM, ref, patch);
        return o.json
          ? printJson(r)
          : process.stdout.write(`${msg('cli.updated', { what: `${r.code} ${r.name}` })}\n`);
      }),
    );

  const step = (name: 'submit' | 'approve' | 'reject' | 'publish', zh: string, en: string) =>
    cat
      .command(name)
      .argument('<ref>', L('资源 id 或代码', 'resource id or code'))
      .description(L(zh, en))
      .option(...COMMENT_OPT)
      .option(...JSON_OPT)
      .action((ref: string, o: { comment?: string; json?: boolean }) =>
        run(o, `catalog ${name}`, async (ctx) => {
          const c = ctx.services.catalog;
          const r =
            name === 'reject'
              ? await c.reject(SYSTEM, ref, o.comment ?? '')
              : await c[name](SYSTEM, ref, o.comment);
          return o.json
            ? printJson(r)
            : process.stdout.write(`${r.code} ${r.name}: ${r.status} v${r.version}\n`);
        }),
      );
  step('submit', '提交审核', 'Submit for review');
  step('approve', '审核通过', 'Approve');
  step('reject', '退回修改（须 --comment）', 'Reject (needs --comment)');
  step('publish', '发布新版本', 'Publish a new version');

  cat
    .command('deprecate')
    .argument('<ref>', L('资源 id 或代码', 'resource id or code'))
    .requiredOption('--reason <text>', L('废止理由', 'reason'))
    .option('--successor <ref>', L('替代资源', 'successor resource'))
    .description(L('废止信息资源', 'Deprecate a resource'))
    .option(...JSON_OPT)
    .action((ref: string, o: { reason: string; successor?: string; json?: boolean }) =>
      run(o, 'catalog deprecate', async (ctx) => {
        const body = validateInput(DeprecateBody, {
          reason: o.reason,
          ...(o.successor ? { successor: o.successor } : {}),
        });
        const r = await ctx.services.catalog.deprecate(SYSTEM, ref, body);
        return o.json ? printJson(r) : process.stdout.write(`${r.code} ${r.name}: ${r.status}\n`);
      }),
    );

  cat
    .command('history')
    .argument('<ref>', L('资源 id 或代码', 'resource id or code'))
    .description(L('审核记录与版本差异', 'Reviews and version diffs'))
    .option(...JSON_OPT)
    .action((ref: string, o: { json?: boolean }) =>
      run(o, 'catalog history', async (ctx) => {
        const h = await ctx.services.catalog.history(SYSTEM, ref);
        if (o.json) {
          return printJson(h);
        }
        printTable(h.reviews, ['at', 'action', 'version', 'comment']);
        for (const v of h.versions) {
          process.stdout.write(
            `v${v.version} ${v.publishedAt}: ${v.changes.map((c) => c.field).join(', ')}\n`,
          );
        }
        return undefined;
      }),
    );

  cat
    .command('import')
    .argument('<xlsx>', L('编目表文件', 'cataloguing sheet'))
    .description(L('从编目表批量导入（全部有效才写入）', 'Import the cataloguing sheet (all or nothing)'))
    .option(...JSON_OPT)
    .action((file: string, o: { json?: boolean }) =>
      run(o, 'catalog import', async (ctx) => {
        const res = await ctx.services.catalog.importSheet(SYSTEM, await fs.readFile(file));
        return o.json ? printJson(res) : process.stdout.write(`${L('已导入', 'imported')} ${res.created}\n`);
      }),
    );

  cat
    .command('export')
    .argument('<xlsx>', L('输出文件', 'output file'))
    .description(L('导出编目表', 'Export the cataloguing sheet'))
    .action((file: string) =>
      run({}, 'catalog export', async (ctx) => {
        await fs.writeFile(file, await ctx.services.catalog.exportSheet(SYSTEM));
        process.stdout.write(`${file}\n`);
      }),
    );

  cat
    .command('dcat')
    .argument(
      '[ref]',
      L('单个资源（省略则输出整个开放目录）', 'one resource (omit for the whole open catalog)'),
    )
    .description(L('输出 DCAT-AP 3 JSON-LD', 'Print DCAT-AP 3 JSON-LD'))
    .action((ref: string | undefined) =>
      run({ json: true }, 'catalog dcat', async (ctx) => {
        const c = ctx.services.catalog;
        printJson(ref ? await c.dcatResource(SYSTEM, ref) : await c.dcatCatalog(SYSTEM));
      }),
    );

  cat
    .command('negative-list')
    .description(L('负面清单（不予共享的资源与信息项）', 'Negative list (what is not shared)'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'catalog negative-list', async (ctx) => {
        const list = await ctx.services.catalog.negativeList(SYSTEM);
        return o.json ? printJson(list) : printTable(list, ['resourceCode', 'resourceName', 'item', 'basis']);
      }),
    );

  const duty = cat.command('duty').description(L('责任清单', 'Duty list'));
  duty
    .command('list')
    .description(L('列出责任清单', 'List duties'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'catalog duty list', async (ctx) => {
        const list = await ctx.services.catalog.listDuties(SYSTEM);
        return o.json ? printJson(list) : printTable(list, ['orgId', 'name', 'basis', 'resourceId']);
      }),
    );
  duty
    .command('add')
    .requiredOption('--org <ref>', L('部门（id、代码或名称）', 'department (id, code or name)'))
    .requiredOption('--name <name>', L('应编目的资源名称', 'name of the resource to catalog'))
    .option('--basis <text>', L('依据', 'basis'))
    .description(L('新增责任清单条目', 'Add a duty'))
    .option(...JSON_OPT)
    .action((o: { org: string; name: string; basis?: string; json?: boolean }) =>
      run(o, 'catalog duty add', async (ctx) => {
        const org = await ctx.services.orgs.get(SYSTEM, o.org);
        const input = validateInput(DutyCreate, {
          orgId: org.id,
          name: o.name,
          ...(o.basis ? { basis: o.basis } : {}),
        });
        const d = await ctx.services.catalog.createDuty(SYSTEM, input);
        return o.json ? printJson(d) : process.stdout.write(`${msg('cli.created', { what: d.name })}\n`);
      }),
    );
  duty
    .command('coverage')
    .description(L('各部门编目覆盖情况', 'Coverage per department'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'catalog duty coverage', async (ctx) => {
        const list = await ctx.services.catalog.coverage(SYSTEM);
        return o.json ? printJson(list) : printTable(list, ['orgName', 'duties', 'covered', 'missing']);
      }),
    );

  cat
    .command('demands')
    .description(L('需求清单', 'Demand list'))
    .option('--status <status>', 'open | answered | fulfilled')
    .option(...JSON_OPT)
    .action((o: { status?: string; json?: boolean }) =>
      run(o, 'catalog demands', async (ctx) => {
        const list = await ctx.services.catalog.listDemands(SYSTEM, o.status);
        return o.json ? printJson(list) : printTable(list, ['title', 'status', 'answer', 'createdAt']);
      }),
    );
}
