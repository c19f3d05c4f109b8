/**
 * PostgreSQL's binary COPY format (`COPY … TO STDOUT (FORMAT binary)`), read without building a row
 * object per row: each batch is the rows complete in one chunk, with the position and length of every
 * field, so a reader takes integers straight from the bytes and views only the fields it needs.
 * The wire protocol itself is pg-copy-streams' job; this only splits the COPY payload.
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export interface CopyBatch {
  buf: Buffer;
  rows: number;
  fields: number;
  /** Start of field f of row r at pos[r · fields + f]; its length at len[…] (−1 for NULL). */
  pos: Int32Array;
  len: Int32Array;
  /** Per-row digests a stage after the parser added (32 bytes a row), if any. */
  hashes?: Buffer;
}

/** Chunks as the socket delivers them (often a few KiB) gathered to at least `min` bytes. */
async function* gathered(chunks: AsyncIterable<Buffer>, min: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= min) {
      yield parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size > 0) {
    yield Buffer.concat(parts, size);
  }
}

export async function* copyBinaryBatches(
  chunks: AsyncIterable<Buffer>,
  minBatchBytes = 256 * 1024,
): AsyncGenerator<CopyBatch> {
  let rest: Buffer | undefined;
  let header = false;
  let done = false;
  for await (const chunk of gathered(chunks, minBatchBytes)) {
    if (done) {
      continue;
    }
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    let at = 0;
    if (!header) {
      if (buf.length < 19 || buf.length < 19 + buf.readUInt32BE(15)) {
        rest = buf;
        continue;
      }
      if (!buf.subarray(0, 11).equals(SIGNATURE)) {
        throw new Error('not a binary COPY stream');
      }
      at = 19 + buf.readUInt32BE(15);
      header = true;
    }
    let fields = -1;
    let cap = 4096;
    let pos = new Int32Array(cap);
    let len = new Int32Array(cap);
    let rows = 0;
    for (;;) {
      if (at + 2 > buf.length) {
        break;
      }
      const n = buf.readInt16BE(at);
      if (n === -1) {
        done = true;
        at += 2;
        break;
      }
      if (fields === -1) {
        fields = n;
      } else if (n !== fields) {
        throw new Error(`binary COPY: ${n} fields in a row after rows of ${fields}`);
      }
      if ((rows + 1) * n > cap) {
        cap *= 2;
        const p2 = new Int32Array(cap);
        p2.set(pos);
        pos = p2;
        const l2 = new Int32Array(cap);
        l2.set(len);
        len = l2;
      }
      let p = at + 2;
      let whole = true;
      const base = rows * n;
      for (let i = 0; i < n; i++) {
        if (p + 4 > buf.length) {
          whole = false;
          break;
        }
        const l = buf.readInt32BE(p);
        p += 4;
        if (l > 0 && p + l > buf.length) {
          whole = false;
          break;
        }
        pos[base + i] = p;
        len[base + i] = l;
        if (l > 0) {
          p += l;
        }
      }
      if (!whole) {
        break;
      }
      rows++;
      at = p;
    }
    rest = at < buf.length ? buf.subarray(at) : undefined;
    if (rows > 0) {
      yield { buf, rows, fields, pos, len };
    }
  }
  if (!done) {
    throw new Error('binary COPY stream ended early');
  }
}

/** Reads a batch stream row by row (int8, bool and bytes fields) without per-row allocations. */
export class CopyCursor {
  private batch: CopyBatch | undefined;
  private row = 0;
  private ended = false;
  private readonly it: AsyncIterator<CopyBatch>;

  constructor(batches: AsyncIterable<CopyBatch>) {
    this.it = batches[Symbol.asyncIterator]();
  }

  /** Whether a current row exists (loads the next batch when needed). */
  async ready(): Promise<boolean> {
    while (!this.ended && (!this.batch || this.row >= this.batch.rows)) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        this.batch = undefined;
      } else {
        this.batch = r.value;
        this.row = 0;
      }
    }
    return !this.ended;
  }

  /** Whether a current row exists without loading anything (then `ready()` decides). */
  has(): boolean {
    return this.batch !== undefined && this.row < this.batch.rows;
  }

  next(): void {
    this.row++;
  }

  private at(f: number): number {
    const b = this.batch as CopyBatch;
    return this.row * b.fields + f;
  }

  isNull(f: number): boolean {
    return (this.batch as CopyBatch).len[this.at(f)] === -1;
  }

  /** An int8 field as a number (exact below 2^53). */
  int8(f: number): number {
    const b = this.batch as CopyBatch;
    const p = b.pos[this.at(f)] as number;
    return b.buf.readInt32BE(p) * 4294967296 + b.buf.readUInt32BE(p + 4);
  }

  bool(f: number): boolean | null {
    const b = this.batch as CopyBatch;
    const i = this.at(f);
    return b.len[i] === -1 ? null : b.buf[b.pos[i] as number] === 1;
  }

  /** The field's bytes (a view into the chunk), or null. */
  bytes(f: number): Buffer | null {
    const b = this.batch as CopyBatch;
    const i = this.at(f);
    const l = b.len[i] as number;
    if (l === -1) {
      return null;
    }
    const p = b.pos[i] as number;
    return b.buf.subarray(p, p + l);
  }

  /** Whether the field is exactly `target[start, start + length)` (no view is made). */
  fieldEquals(f: number, target: Buffer, start: number, length: number): boolean {
    const b = this.batch as CopyBatch;
    const i = this.at(f);
    const p = b.pos[i] as number;
    return (
      b.len[i] === length &&
      start + length <= target.length &&
      b.buf.compare(target, start, start + length, p, p + length) === 0
    );
  }

  /** The current row's 32-byte digest, when its batch carries them. */
  digest(): Buffer | undefined {
    const b = this.batch as CopyBatch;
    return b.hashes?.subarray(this.row * 32, this.row * 32 + 32);
  }

  async close(): Promise<void> {
    await this.it.return?.(undefined);
  }
}
