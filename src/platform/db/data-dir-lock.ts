import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

/**
 * The embedded store is single-process: a lock file holding the owner's pid keeps a second govhub
 * (a CLI verb while `serve` runs, say) from opening the same data directory. A stale lock — its
 * process gone — is taken over.
 */
export function lockDataDir(dataDir: string, purpose: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, '.govhub.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }), {
        flag: 'wx',
      });
      return () => {
        try {
          const held = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number };
          if (held.pid === process.pid) {
            fs.unlinkSync(file);
          }
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw e;
      }
      let holder: { pid?: number; purpose?: string } = {};
      try {
        holder = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        // unreadable lock: treat as stale
      }
      if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new AppError(409, 'DATA_DIR_IN_USE', 'error.dataDirInUse', {
          params: { dir: dataDir, pid: holder.pid, purpose: holder.purpose ?? '?' },
        });
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new AppError(409, 'DATA_DIR_IN_USE', 'error.dataDirInUse', {
    params: { dir: dataDir, pid: '?', purpose: '?' },
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
