import type { CliContext } from '../context.js';
import { reportError } from '../output.js';

/**
 * Runs one CLI verb: opens the store when `purpose` is given, reports errors the same way for every
 * verb (the JSON envelope with --json), and always closes the store.
 */
export async function run(
  opts: { json?: boolean | undefined },
  purpose: string | null,
  body: (ctx: CliContext) => Promise<unknown>,
): Promise<void> {
  let ctx: CliContext | undefined;
  try {
    if (purpose !== null) {
      // Loaded on demand so that `--help` and argument errors answer without loading the server.
      const { openContext } = await import('../context.js');
      ctx = await openContext(purpose);
    }
    await body(ctx as CliContext);
  } catch (e) {
    reportError(e, opts.json === true);
  } finally {
    await ctx?.close();
  }
}
