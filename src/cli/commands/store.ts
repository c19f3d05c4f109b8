import type { Command } from 'commander';
import { AppError } from '../../platform/errors.js';
import { L, msg, printJson, printTable } from '../output.js';
import { printDemo } from './demo-report.js';
import { run } from './run.js';

/** migrate, demo, backup, restore: verbs that act on the store itself. */
export function storeCommands(program: Command): void {
  program
    .command('migrate')
    .description(L('应用所有待执行的数据库迁移', 'Apply every pending database migration'))
    .option('--json', L('以 JSON 输出', 'print JSON'))
    .action((o: { json?: boolean }) =>
      run(o, 'migrate', async (ctx) => {
        const { listMigrations } = await import('../../platform/db/migrator.js');
        const all = await listMigrations(ctx.database.db);
        const report = {
          applied: ctx.migration.applied,
          current: ctx.migration.current ?? null,
          migrations: all,
        };
        if (o.json) {
          return printJson(report);
        }
        process.stdout.write(
          `${msg('cli.migrated', { current: report.current ?? '-', count: report.applied.length })}\n`,
        );
        printTable(
          all.map((m) => ({ name: m.name, executedAt: m.executedAt?.toISOString() ?? '' })),
          ['name', 'executedAt'],
        );
      }),
    );

  program
    .command('demo')
    .description(
      L(
        '写入演示城市（GOVHUB_DATA_DIR / DATABASE_URL 指定的存储）',
        'Seed the demo city into the store GOVHUB_DATA_DIR / DATABASE_URL names',
      ),
    )
    .option('--json', L('以 JSON 输出', 'print JSON'))
    .action((o: { json?: boolean }) =>
      run(o, 'demo', async (ctx) => {
        const report = await ctx.services.demo.seed();
        return o.json ? printJson(report) : printDemo(report);
      }),
    );

  program
    .command('backup')
    .argument('<file>', L('备份文件路径（.tar.gz）', 'backup file path (.tar.gz)'))
    .description(L('备份内置存储', 'Back up the embedded store'))
    .option('--json', L('以 JSON 输出', 'print JSON'))
    .action((file: string, o: { json?: boolean }) =>
      run(o, 'backup', async (ctx) => {
        if (!ctx.database.pglite) {
          throw new AppError(400, 'BACKUP_EMBEDDED_ONLY', 'error.backupPostgres');
        }
        const { backupEmbedded } = await import('../../platform/db/backup.js');
        const bytes = await backupEmbedded(ctx.database.pglite, file);
        return o.json
          ? printJson({ file, bytes })
          : process.stdout.write(`${msg('cli.backupDone', { file, bytes })}\n`);
      }),
    );

  program
    .command('restore')
    .argument('<file>', L('备份文件路径', 'backup file path'))
    .description(
      L(
        '从备份恢复内置存储到 GOVHUB_DATA_DIR',
        'Restore the embedded store into GOVHUB_DATA_DIR from a backup',
      ),
    )
    .option('--force', L('覆盖非空的数据目录', 'overwrite a data directory that is not empty'))
    .option('--json', L('以 JSON 输出', 'print JSON'))
    .action(async (file: string, o: { json?: boolean; force?: boolean }) =>
      run(o, null, async () => {
        const [{ loadConfig }, { restoreEmbedded }, { lockDataDir }] = await Promise.all([
          import('../../platform/config.js'),
          import('../../platform/db/backup.js'),
          import('../../platform/db/data-dir-lock.js'),
        ]);
        const config = loadConfig();
        if (config.databaseUrl) {
          throw new AppError(400, 'BACKUP_EMBEDDED_ONLY', 'error.backupPostgres');
        }
        const unlock = lockDataDir(config.dataDir, 'restore');
        try {
          await restoreEmbedded(file, config.dataDir, o.force === true);
        } finally {
          unlock();
        }
        return o.json
          ? printJson({ file, dataDir: config.dataDir })
          : process.stdout.write(`${msg('cli.restoreDone', { file, dir: config.dataDir })}\n`);
      }),
    );
}
