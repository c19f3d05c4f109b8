import { Command, Help } from 'commander';
import { ValidationError } from '../platform/errors.js';
import { API_VERSION } from '../platform/http/openapi.js';
import { datasetCommands } from './commands/datasets.js';
import { catalogCommands } from './commands/catalog.js';
import { identityCommands } from './commands/identity.js';
import { ledgerCommands } from './commands/ledger.js';
import { sharingCommands } from './commands/sharing.js';
import { storeCommands } from './commands/store.js';
import { L, lang, msg, reportError } from './output.js';

const TITLES: Record<string, string> = {
  'Usage:': '用法：',
  'Options:': '选项：',
  'Commands:': '命令：',
  'Arguments:': '参数：',
};

class LocalizedHelp extends Help {
  override styleTitle(title: string): string {
    return lang === 'en' ? title : (TITLES[title] ?? title);
  }
}

/** The `govhub` command line. Chinese by default; GOVHUB_LANG=en for English. */
export function buildProgram(): Command {
  const program = new Command('govhub');
  program
    .description(msg('cli.description'))
    .version(API_VERSION, '-v, --version', L('显示版本', 'show the version'))
    .helpOption('-h, --help', L('显示帮助', 'show help'))
    .helpCommand('help [command]', L('显示某个命令的帮助', 'show help for a command'))
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: false });
  program
    .command('serve')
    .description(L('启动服务（API 与接口文档）', 'Run the server (API and API reference)'))
    .option('--port <port>', L('端口（默认 PORT 或 8080）', 'port (default PORT or 8080)'))
    .option(
      '--host <host>',
      L('监听地址（默认 HOST 或 127.0.0.1）', 'listen address (default HOST or 127.0.0.1)'),
    )
    .option('--demo', L('首次启动时写入演示城市', 'seed the demo city if the store is new'))
    .action(async (o: { port?: string; host?: string; demo?: boolean }) => {
      try {
        const port = o.port === undefined ? undefined : Number(o.port);
        if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
          throw new ValidationError('CONFIG_INVALID', 'error.configInvalid', {
            params: { name: '--port', value: String(o.port) },
          });
        }
        const { serve } = await import('./commands/serve.js');
        await serve({ port, host: o.host, demo: o.demo });
      } catch (e) {
        reportError(e, false);
        process.exit(1);
      }
    });
  storeCommands(program);
  identityCommands(program);
  datasetCommands(program);
  catalogCommands(program);
  ledgerCommands(program);
  sharingCommands(program);
  // Every sub-command gets the same localized help.
  const localize = (cmd: Command) => {
    cmd.createHelp = () => new LocalizedHelp();
    cmd.helpOption('-h, --help', L('显示帮助', 'show help'));
    cmd.commands.forEach(localize);
  };
  localize(program);
  return program;
}
