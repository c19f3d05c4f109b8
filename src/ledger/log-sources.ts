import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeBundle, type HashAlg, TILE_WIDTH, tilePath, tileWidth } from './merkle.js';
import { parseCheckpointBody, parseNote } from './note.js';
import type { LogSource, SourceEntry } from './verifier.js';

/**
 * Where the offline verifier reads a log from, without any database: a running node over HTTP
 * (C2SP tlog-tiles under /api/v1/ledger/log plus the checkpoint history) or a directory mirror with
 * the same layout (`checkpoint`, `checkpoints/<size>`, `tile/...`).
 */

interface RawLog {
  get(rel: string): Promise<Buffer | undefined>;
  checkpointNotes(): Promise<string[]>;
}

function entryId(bytes: Buffer): number | undefined {
  try {
    const id = (JSON.parse(bytes.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'number' ? id : undefined;
  } catch {
    return undefined;
  }
}

function fromRaw(raw: RawLog): LogSource & { size(): Promise<number> } {
  let sizeP: Promise<number> | undefined;
  const size = () =>
    (sizeP ??= raw.get('checkpoint').then((b) => {
      if (!b) {
        throw new Error('no checkpoint');
      }
      return parseCheckpointBody(parseNote(b.toString('utf8')).body).size;
    }));
  const bundles = new Map<number, Buffer[]>();
  return {
    size,
    checkpoints: async () => {
      const notes = await raw.checkpointNotes();
      const latest = await raw.get('checkpoint');
      return latest ? [...notes, latest.toString('utf8')] : notes;
    },
    storedSize: size,
    entries: async (from, to) => {
      const n = await size();
      const out: SourceEntry[] = [];
      for (let t = Math.floor(from / TILE_WIDTH); t * TILE_WIDTH < to; t++) {
        let entries = bundles.get(t);
        if (!entries) {
          const w = tileWidth(0, t, n);
          const b = await raw.get(tilePath(-1, t, w));
          if (!b) {
            return out; // the verifier names the first missing entry
          }
          entries = decodeBundle(b);
          bundles.clear();
          bundles.set(t, entries);
        }
        entries.forEach((bytes, i) => {
          const seq = t * TILE_WIDTH + i;
          if (seq >= from && seq < to) {
            const eventId = entryId(bytes);
            out.push({ seq, bytes, ...(eventId !== undefined ? { eventId } : {}) });
          }
        });
      }
      return out;
    },
    tile: async (level, index) => {
      const w = tileWidth(level, index, await size());
      return w === 0 ? undefined : raw.get(tilePath(level, index, w));
    },
  };
}

export function httpSource(
  baseUrl: string,
  token?: string,
): LogSource & { size(): Promise<number>; hashAlg(): Promise<HashAlg>; vkeys(): Promise<string[]> } {
  const base = `${baseUrl.replace(/\/+$/, '')}/api/v1/ledger`;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const get = async (rel: string): Promise<Buffer | undefined> => {
    const res = await fetch(rel ? `${base}/${rel}` : base, { headers });
    if (res.status === 404) {
      return undefined;
    }
    if (!res.ok) {
      throw new Error(`GET ${rel}: HTTP ${res.status}`);
    }
    return Buffer.from(await res.arrayBuffer());
  };
  const raw: RawLog = {
    get: (rel) => get(rel.startsWith('checkpoint') ? `log/${rel}` : `log/${rel}`),
    checkpointNotes: async () => {
      const out: string[] = [];
      let after = -1;
      for (;;) {
        const b = await get(`checkpoints?after=${after}&limit=10000`);
        const page = JSON.parse(b?.toString('utf8') ?? '[]') as Array<{ size: number; note: string }>;
        out.push(...page.map((p) => p.note));
        if (page.length < 10000) {
          return out;
        }
        after = (page[page.length - 1] as { size: number }).size;
      }
    },
  };
  const info = async () =>
    JSON.parse((await get(''))?.toString('utf8') ?? '{}') as {
      hashAlg: HashAlg;
      keys: Array<{ vkey: string; purpose: string }>;
    };
  return {
    ...fromRaw(raw),
    hashAlg: async () => (await info()).hashAlg,
    vkeys: async () => (await info()).keys.filter((k) => k.purpose === 'log').map((k) => k.vkey),
  };
}

export function dirSource(
  dir: string,
): LogSource & { size(): Promise<number>; meta(): Promise<{ hashAlg?: HashAlg; vkeys?: string[] }> } {
  const get = async (rel: string) => fs.readFile(path.join(dir, rel)).catch(() => undefined);
  const raw: RawLog = {
    get,
    checkpointNotes: async () => {
      const names = await fs.readdir(path.join(dir, 'checkpoints')).catch(() => [] as string[]);
      return Promise.all(names.map((n) => fs.readFile(path.join(dir, 'checkpoints', n), 'utf8')));
    },
  };
  return {
    ...fromRaw(raw),
    meta: async () =>
      JSON.parse((await get('log.json'))?.toString('utf8') ?? '{}') as {
        hashAlg?: HashAlg;
        vkeys?: string[];
      },
  };
}

/** Copies a node's log (checkpoints, hash tiles, entry bundles) into a directory mirror. */
export async function mirror(baseUrl: string, dir: string, token?: string): Promise<number> {
  const src = httpSource(baseUrl, token);
  const base = `${baseUrl.replace(/\/+$/, '')}/api/v1/ledger/log`;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const fetchTo = async (rel: string) => {
    const res = await fetch(`${base}/${rel}`, { headers });
    if (!res.ok) {
      throw new Error(`GET ${rel}: HTTP ${res.status}`);
    }
    const file = path.join(dir, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, Buffer.from(await res.arrayBuffer()));
  };
  await fetchTo('checkpoint');
  const size = parseCheckpointBody(
    parseNote(await fs.readFile(path.join(dir, 'checkpoint'), 'utf8')).body,
  ).size;
  await fs.mkdir(path.join(dir, 'checkpoints'), { recursive: true });
  for (const note of await src.checkpoints()) {
    const s = parseCheckpointBody(parseNote(note).body).size;
    await fs.writeFile(path.join(dir, 'checkpoints', String(s)), note);
  }
  for (let level = -1; level === -1 || TILE_WIDTH ** level <= size; level++) {
    const l = Math.max(level, 0);
    for (let index = 0; tileWidth(l, index, size) > 0; index++) {
      await fetchTo(tilePath(level, index, tileWidth(l, index, size)));
    }
  }
  await fs.writeFile(
    path.join(dir, 'log.json'),
    JSON.stringify({ hashAlg: await src.hashAlg(), vkeys: await src.vkeys() }, null, 2),
  );
  return size;
}
