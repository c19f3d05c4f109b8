import type { Command } from 'commander';
import type { CsvEncoding } from '../../datasets/csv.js';
import type { ImportMode, OnError } from '../../datasets/dataset.service.js';
import { parseFilterParams, parseOrder } from '../../datasets/filter.js';
import { SYSTEM } from '../../identity/actor.js';
import { ValidationError } from '../../platform/errors.js';
import { L, msg, printJson, printTable } from '../output.js';
import { run } from './run.js';

const JSON_OPT = ['--json', L('以 JSON 输出', 'print JSON')] as const;
const collect = (v: string, prev: string[] = []) => [...prev, v];

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError('CONFIG_INVALID', 'error.configInvalid', { params: { name, value } });
  }
  return value as T;
}

/** `govhub import`, and the dataset / source verbs (数据汇聚). */
export function datasetCommands(program: Command): void {
  program
    .command('import')
    .argument('<file>', L('CSV、XLSX、JSON 或 NDJSON 文件', 'a CSV, XLSX, JSON or NDJSON file'))
    .description(L('把文件导入资源的汇聚数据集', "Import a file into a resource's hosted dataset"))
    .option('--resource <ref>', L('资源（id 或代码）', 'resource (id or code)'))
    .option(
      '--new-resource <name>',
      L('新建草稿资源，数据项由文件推断', 'create a draft resource with items inferred from the file'),
    )
    .option(
      '--provider <org>',
      L('新资源的提供部门（代码或名称）', 'provider of the new resource (org code or name)'),
    )
    .option('--mode <mode>', 'replace | append | upsert', 'replace')
    .option('--key <item>', L('upsert 的主键数据项（可重复）', 'key item for upsert (repeatable)'), collect)
    .option('--on-error <mode>', 'reject | quarantine', 'reject')
    .option('--format <format>', 'csv | xlsx | json | ndjson')
    .option(
      '--encoding <encoding>',
      L(
        'CSV 编码（默认自动识别）：utf-8 | gbk | gb18030',
        'CSV encoding (detected by default): utf-8 | gbk | gb18030',
      ),
    )
    .option(...JSON_OPT)
    .action(
      (
        file: string,
        o: {
          resource?: string;
          newResource?: string;
          provider?: string;
          mode: string;
          key?: string[];
          onError: string;
          format?: string;
          encoding?: string;
          json?: boolean;
        },
      ) =>
        run(o, 'import', async (ctx) => {
          if (o.newResource && !o.provider) {
            throw new ValidationError('CONFIG_INVALID', 'error.configInvalid', {
              params: { name: '--provider', value: '' },
            });
          }
          const report = await ctx.services.datasets.importFile(SYSTEM, {
            file,
            resource: o.resource,
            newResource: o.newResource ? { name: o.newResource, provider: o.provider as string } : undefined,
            mode: oneOf<ImportMode>('--mode', o.mode, ['replace', 'append', 'upsert']),
            keys: o.key,
            onError: oneOf<OnError>('--on-error', o.onError, ['reject', 'quarantine']),
            format: o.format,
            encoding: o.encoding
              ? oneOf<CsvEncoding>('--encoding', o.encoding, ['utf-8', 'gbk', 'gb18030'])
              : undefined,
          });
          const errors = report.errors.map((e) => ({ ...e, message: msg(`datasets.value.${e.code}`) }));
          if (report.status === 'rejected') {
            process.exitCode = 1;
          }
          if (o.json) {
            printJson({ ...report, errors });
            return;
          }
          printTable(errors.slice(0, 200), ['row', 'column', 'message']);
          process.stdout.write(
            `${report.status} rowsRead=${report.rowsRead} rowsLoaded=${report.rowsLoaded} rowsRejected=${report.rowsRejected} ` +
              `resource=${report.resourceCode} version=${report.version ?? '-'}\n`,
          );
        }),
    );

  const ds = program
    .command('dataset')
    .description(L('数据集（汇聚与挂接）', 'Datasets (hosted and linked)'));
  ds.command('list')
    .description(L('列出数据集', 'List datasets'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'dataset list', async (ctx) => {
        const list = await ctx.services.datasets.list(SYSTEM);
        return o.json
          ? printJson(list)
          : printTable(list as never, ['id', 'name', 'kind', 'currentVersion', 'resourceId']);
      }),
    );
  ds.command('advise')
    .argument('[id]', L('数据集 id（缺省为全部挂接数据集）', 'dataset id (default: every linked dataset)'))
    .description(
      L(
        '汇聚建议：按访问频度、使用方数与传输量，建议汇聚存储或保持挂接',
        'Advice: host or keep linked, from access frequency, distinct consumers and bytes served',
      ),
    )
    .option('--days <n>', L('统计窗口（天），默认 30', 'window in days, default 30'), (v) => Number(v))
    .option(...JSON_OPT)
    .action((id: string | undefined, o: { days?: number; json?: boolean }) =>
      run(o, 'dataset advise', async (ctx) => {
        const list = await ctx.services.datasets.advice(SYSTEM, { id, days: o.days });
        if (o.json) {
          return printJson(list);
        }
        const zh = ctx.services.config.lang !== 'en';
        return printTable(list.map((a) => ({ ...a, reason: zh ? a.reason.zh : a.reason.en })) as never, [
          'datasetId',
          'name',
          'reads',
          'consumers',
          'bytes',
          'recommendation',
          'reason',
        ]);
      }),
    );
  ds.command('infer')
    .argument('<file>', L('文件', 'file'))
    .description(
      L('推断文件的数据项（类型、个人信息类别、分级）', 'Infer items from a file (type, PII kind, level)'),
    )
    .option('--format <format>', 'csv | xlsx | json | ndjson')
    .option(...JSON_OPT)
    .action((file: string, o: { format?: string; json?: boolean }) =>
      run(o, 'dataset infer', async (ctx) => {
        const items = await ctx.services.datasets.inferFile(SYSTEM, {
          file,
          ...(o.format ? { format: o.format } : {}),
        });
        return o.json
          ? printJson(items)
          : printTable(items as never, ['name', 'dataType', 'length', 'level', 'piiKind']);
      }),
    );
  ds.command('read')
    .argument('<id>', L('数据集 id', 'dataset id'))
    .description(L('读取数据（筛选、排序、分页）', 'Read rows (filter, order, page)'))
    .option(
      '--where <cond>',
      L('条件 数据项=op:值（可重复）', 'condition item=op:value (repeatable)'),
      collect,
    )
    .option('--filter <json>', L('JSON 筛选条件', 'filter as JSON'))
    .option('--order <items>', L('排序，如 名称,-日期', 'order, e.g. name,-date'))
    .option('--limit <n>', L('行数上限', 'row limit'), '20')
    .option('--offset <n>', L('跳过的行数', 'rows to skip'), '0')
    .option(...JSON_OPT)
    .action(
      (
        id: string,
        o: {
          where?: string[];
          filter?: string;
          order?: string;
          limit: string;
          offset: string;
          json?: boolean;
        },
      ) =>
        run(o, 'dataset read', async (ctx) => {
          const params: Record<string, unknown> = {};
          for (const w of o.where ?? []) {
            const eq = w.indexOf('=');
            const key = `f.${w.slice(0, eq)}`;
            params[key] = [...((params[key] as string[] | undefined) ?? []), w.slice(eq + 1)];
          }
          if (o.filter) {
            params.filter = o.filter;
          }
          const rows = await ctx.services.datasets.read(SYSTEM, id, {
            filter: parseFilterParams(params),
            order: parseOrder(o.order),
            limit: Number(o.limit),
            offset: Number(o.offset),
          });
          return o.json ? printJson(rows) : printTable(rows, Object.keys(rows[0] ?? {}));
        }),
    );
  for (const [verb, zh, en] of [
    ['versions', '列出版本', 'List versions'],
    ['loads', '列出导入记录', 'List loads'],
    ['quarantine', '列出隔离的错误行', 'List quarantined rows'],
  ] as const) {
    ds.command(verb)
      .argument('<id>', L('数据集 id', 'dataset id'))
      .description(L(zh, en))
      .option(...JSON_OPT)
      .action((id: string, o: { json?: boolean }) =>
        run(o, `dataset ${verb}`, async (ctx) => {
          const s = ctx.services.datasets;
          const rows =
            verb === 'versions'
              ? await s.versions(SYSTEM, id)
              : verb === 'loads'
                ? await s.loads(SYSTEM, id)
                : await s.quarantine(SYSTEM, id);
          return o.json ? printJson(rows) : printTable(rows as never, Object.keys(rows[0] ?? {}));
        }),
      );
  }

  ds.command('sync')
    .argument('<from>', L('挂接数据集 id', 'linked dataset id'))
    .description(
      L(
        '从挂接数据集同步到汇聚数据集（前置机方式）：立即运行一次，或以 --every 定时运行',
        'Sync a linked dataset into a hosted one (前置机 style): run once now, or on a schedule with --every',
      ),
    )
    .requiredOption('--resource <code>', L('接收数据的资源（id 或代码）', 'receiving resource (id or code)'))
    .option('--mode <mode>', 'full | incremental', 'full')
    .option(
      '--key <item>',
      L('增量同步的主键数据项（可重复）', 'key item for incremental sync (repeatable)'),
      collect,
    )
    .option('--since <item>', L('增量同步的更新时间数据项', 'updated-at item for incremental sync'))
    .option('--on-error <mode>', 'reject | quarantine', 'quarantine')
    .option('--every <minutes>', L('定时运行的间隔（分钟），由 serve 执行', 'run every N minutes (by serve)'))
    .option(...JSON_OPT)
    .action(
      (
        from: string,
        o: {
          resource: string;
          mode: string;
          key?: string[];
          since?: string;
          onError: string;
          every?: string;
          json?: boolean;
        },
      ) =>
        run(o, 'dataset sync', async (ctx) => {
          const input = {
            from,
            resource: o.resource,
            mode: oneOf('--mode', o.mode, ['full', 'incremental'] as const),
            keys: o.key,
            since: o.since,
            onError: oneOf('--on-error', o.onError, ['reject', 'quarantine'] as const),
          };
          if (o.every !== undefined) {
            const job = await ctx.services.syncJobs.create(SYSTEM, {
              ...input,
              everyMinutes: Number(o.every),
            });
            return o.json
              ? printJson(job)
              : printTable([job] as never, ['id', 'mode', 'everyMinutes', 'nextRunAt']);
          }
          const report = await ctx.services.datasets.sync(SYSTEM, input);
          if (report.status === 'rejected') {
            process.exitCode = 1;
          }
          if (o.json) {
            printJson(report);
            return;
          }
          process.stdout.write(
            `${report.status} rowsRead=${report.rowsRead} rowsLoaded=${report.rowsLoaded} rowsRejected=${report.rowsRejected}\n`,
          );
        }),
    );
  ds.command('sync-jobs')
    .description(L('列出定时同步任务及最近一次运行', 'List scheduled sync jobs and their last run'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'dataset sync-jobs', async (ctx) => {
        const list = await ctx.services.syncJobs.list(SYSTEM);
        return o.json
          ? printJson(list)
          : printTable(
              list.map((j) => ({
                ...j,
                lastRun: j.lastRun ? `${j.lastRun.status} ${j.lastRun.startedAt}` : '',
              })),
              ['id', 'from', 'mode', 'everyMinutes', 'enabled', 'nextRunAt', 'lastRun'],
            );
      }),
    );

  const src = program
    .command('source')
    .description(L('挂接数据源（部门数据库）', 'Linked sources (department databases)'));
  src
    .command('add')
    .description(L('登记数据源（口令加密保存）', 'Register a source (password encrypted at rest)'))
    .requiredOption('--name <name>', L('名称', 'name'))
    .requiredOption('--org <org>', L('所属部门', 'owning organization'))
    .requiredOption('--kind <kind>', 'postgres | mysql')
    .requiredOption('--host <host>', L('主机', 'host'))
    .option('--port <port>', L('端口', 'port'))
    .requiredOption('--database <db>', L('数据库', 'database'))
    .requiredOption('--user <user>', L('用户名', 'user name'))
    .option(
      '--password-env <var>',
      L('从该环境变量读取口令', 'read the password from this environment variable'),
    )
    .option(...JSON_OPT)
    .action(
      (o: {
        name: string;
        org: string;
        kind: string;
        host: string;
        port?: string;
        database: string;
        user: string;
        passwordEnv?: string;
        json?: boolean;
      }) =>
        run(o, 'source add', async (ctx) => {
          const kind = oneOf<'postgres' | 'mysql'>('--kind', o.kind, ['postgres', 'mysql']);
          const created = await ctx.services.datasets.createSource(SYSTEM, {
            name: o.name,
            org: o.org,
            kind,
            host: o.host,
            port: o.port ? Number(o.port) : kind === 'postgres' ? 5432 : 3306,
            database: o.database,
            username: o.user,
            password: o.passwordEnv ? process.env[o.passwordEnv] : undefined,
          });
          return o.json
            ? printJson(created)
            : process.stdout.write(`${msg('cli.created', { what: `${created.name} (${created.id})` })}\n`);
        }),
    );
  src
    .command('list')
    .description(L('列出数据源', 'List sources'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'source list', async (ctx) => {
        const list = await ctx.services.datasets.listSources(SYSTEM);
        return o.json
          ? printJson(list)
          : printTable(list as never, ['id', 'name', 'kind', 'host', 'port', 'database']);
      }),
    );
  src
    .command('inspect')
    .argument('<source>', L('数据源 id 或名称', 'source id or name'))
    .argument('[table]', L('表（省略则列出所有表）', 'table (omit to list tables)'))
    .description(L('列出表，或为一张表建议数据项', 'List tables, or propose items for a table'))
    .option(...JSON_OPT)
    .action((source: string, table: string | undefined, o: { json?: boolean }) =>
      run(o, 'source inspect', async (ctx) => {
        const r = await ctx.services.datasets.introspect(SYSTEM, source, table);
        if (o.json) {
          return printJson(r);
        }
        return r.items
          ? printTable(r.items as never, ['name', 'column', 'dataType', 'level'])
          : process.stdout.write(`${(r.tables ?? []).join('\n')}\n`);
      }),
    );
  src
    .command('link')
    .argument('<source>', L('数据源 id 或名称', 'source id or name'))
    .argument('<table>', L('表', 'table'))
    .description(
      L('把资源挂接到数据源的表（逻辑汇聚）', 'Link a resource to a source table (logical aggregation)'),
    )
    .option('--resource <ref>', L('资源（id 或代码）', 'resource (id or code)'))
    .option('--new-resource <name>', L('按表结构新建草稿资源', 'create a draft resource from the table'))
    .option(...JSON_OPT)
    .action((source: string, table: string, o: { resource?: string; newResource?: string; json?: boolean }) =>
      run(o, 'source link', async (ctx) => {
        const d = await ctx.services.datasets.link(SYSTEM, {
          source,
          table,
          resource: o.resource,
          newResource: o.newResource,
        });
        return o.json
          ? printJson(d)
          : process.stdout.write(`${msg('cli.created', { what: `${d.name} (${d.id})` })}\n`);
      }),
    );
}
