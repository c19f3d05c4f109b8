// Initialises a new embedded data directory in a process of its own: PGlite's initdb leaves several
// hundred MB resident in the process that ran it, so the server only ever opens an existing cluster.
// Usage: node pglite-init.js DATA_DIR
import { PGlite } from '@electric-sql/pglite';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: pglite-init DATA_DIR\n');
  process.exit(2);
}
const pglite = await PGlite.create(dir);
// One in-process client: a small buffer pool keeps the resident size of `npm start` modest, and the
// WASM heap never shrinks once grown. Takes effect when the server opens the directory.
await pglite.query(`alter system set shared_buffers = '32MB'`);
await pglite.query('alter system set max_connections = 10');
await pglite.query('checkpoint');
await pglite.close();
