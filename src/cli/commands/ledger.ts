import type { Command } from 'commander';
import { SYSTEM } from '../../identity/actor.js';
import { dirSource, httpSource, mirror } from '../../ledger/log-sources.js';
import type { HashAlg } from '../../ledger/merkle.js';
import { parseVkey } from '../../ledger/note.js';
import { describeProblem, verifyLog, type VerifyReport } from '../../ledger/verifier.js';
import { ValidationError } from '../../platform/errors.js';
import { L, msg, printJson, printTable } from '../output.js';
import { run } from './run.js';

const JSON_OPT = ['--json', L('以 JSON 输出', 'print JSON')] as const;
const collect = (v: string, prev: string[] = []) => [...prev, v];

interface VerifyOpts {
  url?: string;
  tiles?: string;
  dataDir?: string;
  key?: string[];
  witness?: string[];
  quorum?: string;
  hash?: string;
  token?: string;
  json?: boolean;
}

function printReport(r: VerifyReport & { trustedKeys?: boolean }, json: boolean | undefined): void {
  if (json) {
    printJson({ ...r, problem: r.problem ? { ...r.problem, message: describeProblem(r.problem) } : null });
  } else if (r.ok) {
    if (r.trustedKeys === false) {
      process.stderr.write(`${msg('cli.ledger.untrustedKeys')}\n`);
    }
    process.stdout.write(
      `${msg('cli.ledger.verifyOk', { size: r.size, checkpoints: r.checkpoints, root: r.root ?? '', ms: r.ms })}\n`,
    );
  } else {
    process.stderr.write(
      `${msg('cli.ledger.verifyFailed', { problem: describeProblem(r.problem as never) })}\n`,
    );
  }
  if (!r.ok) {
    process.exitCode = 2;
  }
}

/** `govhub ledger …`: status, integrate, verify (offline), mirror, keys, witnessing. */
export function ledgerCommands(program: Command): void {
  const ledger = program.command('ledger').description(L('可验证账本', 'Verifiable ledger'));

  ledger
    .command('status')
    .description(L('账本状态：大小、根、检查点、公钥', 'Log status: size, root, checkpoint, public keys'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'ledger status', async (ctx) => {
        const status = await ctx.services.ledger.status();
        const keys = await ctx.services.ledger.keys();
        if (o.json) {
          return printJson({ ...status, keys });
        }
        printTable(
          [{ ...status, checkpoint: status.checkpoint?.size ?? '-' }],
          ['origin', 'hashAlg', 'size', 'checkpoint', 'pendingEvents', 'root'],
        );
        printTable(keys, ['purpose', 'alg', 'vkey', 'retiredAt']);
      }),
    );

  ledger
    .command('integrate')
    .description(L('立即纳入待处理事件并签署检查点', 'Integrate pending events and sign a checkpoint now'))
    .option(...JSON_OPT)
    .action((o: { json?: boolean }) =>
      run(o, 'ledger integrate', async (ctx) => {
        const count = await ctx.services.ledger.integrate();
        const { size } = await ctx.services.ledger.status();
        return o.json
          ? printJson({ count, size })
          : process.stdout.write(`${msg('cli.ledger.integrated', { count, size })}\n`);
      }),
    );

  ledger
    .command('verify')
    .description(
      L(
        '离线验证账本：检查每个检查点签名、一致性，并由条目重算树根；失败时指出第一个错误的条目或检查点',
        'Verify a log offline: every checkpoint signature, consistency, the root recomputed from the entries; names the first bad entry or checkpoint',
      ),
    )
    .option('--url <url>', L('正在运行的节点地址', 'a running node’s base URL'))
    .option(
      '--tiles <dir>',
      L('瓦片镜像目录（govhub ledger mirror）', 'a tile mirror directory (govhub ledger mirror)'),
    )
    .option(
      '--data-dir <dir>',
      L('内置存储的数据目录或其恢复副本', 'an embedded data directory or a restored backup'),
    )
    .option('--key <vkey>', L('可信的日志公钥（可重复）', 'trusted log verifier key (repeatable)'), collect)
    .option('--witness <vkey>', L('见证者公钥（可重复）', 'witness verifier key (repeatable)'), collect)
    .option(
      '--quorum <k>',
      L('最新检查点至少需要的见证联署数', 'witness cosignatures required on the latest checkpoint'),
    )
    .option(
      '--hash <alg>',
      L('哈希算法 sha256 | sm3（--tiles 时）', 'hash algorithm sha256 | sm3 (with --tiles)'),
    )
    .option(
      '--token <token>',
      L('读取条目包的凭据（审计员）', 'bearer token to read entry bundles (auditor)'),
    )
    .option(...JSON_OPT)
    .action((o: VerifyOpts) =>
      run(o, null, async () => {
        const sources = [o.url, o.tiles, o.dataDir].filter(Boolean);
        if (sources.length !== 1) {
          throw new ValidationError('LEDGER_VERIFY_SOURCE', 'error.ledger.verifySource');
        }
        const quorum = o.quorum ? Number(o.quorum) : 0;
        if (o.dataDir) {
          const { openContext } = await import('../context.js');
          const ctx = await openContext('ledger verify', { dataDir: o.dataDir, databaseUrl: undefined });
          try {
            const r = await ctx.services.ledger.verifyStore({
              ...(o.key ? { keys: o.key } : {}),
              ...(o.witness ? { witnessKeys: o.witness } : {}),
              quorum,
            });
            return printReport(r, o.json);
          } finally {
            await ctx.close();
          }
        }
        let alg: HashAlg = (o.hash as HashAlg | undefined) ?? 'sha256';
        let vkeys = o.key ?? [];
        let src;
        if (o.url) {
          const s = httpSource(o.url, o.token ?? process.env.GOVHUB_TOKEN);
          src = s;
          if (!o.hash) {
            alg = await s.hashAlg();
          }
          if (vkeys.length === 0) {
            vkeys = await s.vkeys();
          }
        } else {
          const s = dirSource(o.tiles as string);
          src = s;
          const meta = await s.meta();
          if (!o.hash && meta.hashAlg) {
            alg = meta.hashAlg;
          }
          if (vkeys.length === 0) {
            vkeys = meta.vkeys ?? [];
          }
        }
        const r = await verifyLog(src, {
          alg,
          logKeys: vkeys.map(parseVkey),
          witnessKeys: (o.witness ?? []).map(parseVkey),
          quorum,
        });
        printReport({ ...r, trustedKeys: Boolean(o.key?.length) }, o.json);
      }),
    );

  ledger
    .command('mirror')
    .description(
      L(
        '把节点的账本（检查点、瓦片、条目包）复制到目录',
        'Copy a node’s log (checkpoints, tiles, entry bundles) into a directory',
      ),
    )
    .requiredOption('--url <url>', L('节点地址', 'node base URL'))
    .argument('<dir>', L('目标目录', 'target directory'))
    .option(
      '--token <token>',
      L('读取条目包的凭据（审计员）', 'bearer token to read entry bundles (auditor)'),
    )
    .option(...JSON_OPT)
    .action((dir: string, o: { url: string; token?: string; json?: boolean }) =>
      run(o, null, async () => {
        const size = await mirror(o.url, dir, o.token ?? process.env.GOVHUB_TOKEN);
        return o.json
          ? printJson({ dir, size })
          : process.stdout.write(`${msg('cli.ledger.exported', { size, dir })}\n`);
      }),
    );

  ledger
    .command('rotate-key')
    .description(
      L('轮换签名密钥（旧公钥继续公布）', 'Rotate a signing key (the old public key stays published)'),
    )
    .option('--alg <alg>', 'ed25519 | sm2 | cosig', 'ed25519')
    .option(...JSON_OPT)
    .action((o: { alg: string; json?: boolean }) =>
      run(o, 'ledger rotate-key', async (ctx) => {
        const key = await ctx.services.ledger.rotateKey(SYSTEM, { alg: o.alg as 'ed25519' });
        return o.json ? printJson(key) : printTable([key], ['purpose', 'alg', 'vkey']);
      }),
    );

  ledger
    .command('witness')
    .description(
      L('见证另一节点的账本（联署其检查点）', 'Witness another node’s log (cosign its checkpoints)'),
    )
    .argument('<vkey>', L('该账本的公钥', 'that log’s verifier key'))
    .option(...JSON_OPT)
    .action((vkey: string, o: { json?: boolean }) =>
      run(o, 'ledger witness', async (ctx) => {
        const r = await ctx.services.ledger.addWitnessedLog(SYSTEM, vkey);
        return o.json ? printJson(r) : process.stdout.write(`${r.origin}\n`);
      }),
    );
}
