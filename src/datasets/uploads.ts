import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** One resumable upload session, kept on disk next to its bytes so it survives a restart. */
export interface UploadSession {
  id: string;
  orgId: string;
  createdBy: string | null;
  fileName: string;
  size: number;
  /** An existing resource (id or code) or a new draft resource inferred from the file. */
  resource?: string | undefined;
  newResource?: { name: string; provider: string } | undefined;
  format?: string | undefined;
  encoding?: string | undefined;
  createdAt: string;
}

/** Upload sessions and their partial files under one directory (`<dataDir>/uploads`). */
export class UploadStore {
  constructor(private readonly dir: string) {}

  static forDataDir(dataDir: string): UploadStore {
    const base = dataDir.includes('://')
      ? path.join(os.tmpdir(), 'govhub-uploads')
      : path.join(dataDir, 'uploads');
    return new UploadStore(base);
  }

  private meta(id: string) {
    return path.join(this.dir, `${id}.json`);
  }

  async create(s: Omit<UploadSession, 'id' | 'createdAt'>): Promise<UploadSession> {
    await mkdir(this.dir, { recursive: true });
    const session: UploadSession = { ...s, id: randomUUID(), createdAt: new Date().toISOString() };
    await writeFile(this.meta(session.id), JSON.stringify(session));
    await writeFile(this.partPath(session), '');
    return session;
  }

  async get(id: string): Promise<UploadSession | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(id)) {
      return undefined;
    }
    try {
      return JSON.parse(await readFile(this.meta(id), 'utf8')) as UploadSession;
    } catch {
      return undefined;
    }
  }

  /** The part file keeps the original extension so the importer can tell the format. */
  partPath(s: UploadSession): string {
    const e = path
      .extname(s.fileName)
      .toLowerCase()
      .replace(/[^.a-z0-9]/g, '');
    return path.join(this.dir, `${s.id}${e}`);
  }

  async received(s: UploadSession): Promise<number> {
    try {
      return (await stat(this.partPath(s))).size;
    } catch {
      return 0;
    }
  }

  /** Writes a chunk at `offset` (which must be the bytes received so far); answers the new total. */
  async write(s: UploadSession, offset: number, chunk: Buffer): Promise<number> {
    const fh = await open(this.partPath(s), 'r+');
    try {
      await fh.write(chunk, 0, chunk.length, offset);
      await fh.truncate(offset + chunk.length);
    } finally {
      await fh.close();
    }
    return offset + chunk.length;
  }

  /** Rewrites a session's settings (encoding, target) chosen after the bytes arrived. */
  async update(s: UploadSession): Promise<void> {
    await writeFile(this.meta(s.id), JSON.stringify(s));
  }

  async remove(s: UploadSession): Promise<void> {
    await rm(this.partPath(s), { force: true });
    await rm(this.meta(s.id), { force: true });
  }

  /**
   * Removes upload sessions nobody has touched for `maxAgeMs` (abandoned uploads: their partial files would
   * otherwise stay forever). "Touched" is the later of the session's creation and its last chunk. Returns how
   * many were removed.
   */
  async sweep(maxAgeMs: number, now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const m = /^([0-9a-f-]{36})\.json$/.exec(name);
      const session = m ? await this.get(m[1] as string) : undefined;
      if (!session) {
        continue;
      }
      let touched = Date.parse(session.createdAt);
      try {
        touched = Math.max(touched, (await stat(this.partPath(session))).mtimeMs);
      } catch {
        // no part file: the session alone decides
      }
      if (now - touched > maxAgeMs) {
        await this.remove(session);
        removed++;
      }
    }
    return removed;
  }
}
