import { Worker } from 'node:worker_threads';
import type { CopyBatch } from '../platform/db/copy-binary.js';
import type { HashAlg } from './merkle.js';

/**
 * Leaf hashing for the verifier in worker threads: the entries of a COPY batch are hashed
 * H(0x00 ‖ bytes) off the main thread, which meanwhile reads the leaves and recomputes the tree. The
 * hashes come from the entry bytes themselves, never from the store.
 */
const SLOT_BYTES = 1 << 20;
/** The fewest bytes a row of (int8, text, bool) takes in binary COPY: rows a slot can hold. */
const SLOT_ROWS = Math.ceil(SLOT_BYTES / 23);

interface Slot {
  bytes: SharedArrayBuffer;
  pos: SharedArrayBuffer;
  len: SharedArrayBuffer;
  out: SharedArrayBuffer;
}

export class LeafHasher {
  private readonly workers: Worker[] = [];
  private readonly slots: Array<{
    bytes: Buffer;
    pos: Int32Array;
    len: Int32Array;
    out: Buffer;
    rows: number;
  }> = [];
  private readonly free: number[] = [];
  private readonly freed: Array<() => void> = [];
  private readonly waiting = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  private failed: Error | undefined;

  /** `slots` bounds the batches in flight (copied into shared memory, 1 MiB each). */
  constructor(alg: HashAlg, threads: number, slots = 8) {
    const perWorker: Slot[][] = Array.from({ length: threads }, () => []);
    for (let i = 0; i < slots * threads; i++) {
      const s: Slot = {
        bytes: new SharedArrayBuffer(SLOT_BYTES),
        pos: new SharedArrayBuffer(SLOT_ROWS * 4),
        len: new SharedArrayBuffer(SLOT_ROWS * 4),
        out: new SharedArrayBuffer(SLOT_ROWS * 32),
      };
      (perWorker[i % threads] as Slot[]).push(s);
      this.slots.push({
        bytes: Buffer.from(s.bytes),
        pos: new Int32Array(s.pos),
        len: new Int32Array(s.len),
        out: Buffer.from(s.out),
        rows: 0,
      });
      this.free.push(i);
    }
    for (let t = 0; t < threads; t++) {
      const w = new Worker(new URL('./leaf-hash.worker.js', import.meta.url), {
        workerData: { alg, slots: perWorker[t] },
      });
      w.on('message', (local: number) => {
        const slot = local * threads + t;
        const p = this.waiting.get(slot);
        this.waiting.delete(slot);
        const s = this.slots[slot];
        const hashes = s ? Buffer.from(s.out.subarray(0, s.rows * 32)) : Buffer.alloc(0);
        this.release(slot);
        p?.resolve(hashes);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) {
          this.fail(new Error(`leaf hashing thread exited with code ${code}`));
        }
      });
      this.workers.push(w);
    }
  }

  private release(slot: number) {
    this.free.push(slot);
    this.freed.shift()?.();
  }

  private fail(e: Error) {
    this.failed ??= e;
    for (const p of this.waiting.values()) {
      p.reject(e);
    }
    this.waiting.clear();
  }

  /** The leaf hashes of field `field` of every row of the batch (32 bytes each, zeros for NULL). */
  async hash(batch: CopyBatch, field: number): Promise<Buffer> {
    const lo = batch.rows > 0 ? (batch.pos[0] as number) : 0;
    if (batch.buf.length - lo > SLOT_BYTES || batch.rows > SLOT_ROWS) {
      // Larger than a slot (a chunk the socket delivered whole): split it in two.
      const half = Math.floor(batch.rows / 2);
      const part = (from: number, to: number): CopyBatch => ({
        ...batch,
        rows: to - from,
        pos: batch.pos.subarray(from * batch.fields, to * batch.fields),
        len: batch.len.subarray(from * batch.fields, to * batch.fields),
      });
      if (half === 0) {
        throw new Error('a ledger entry larger than 1 MiB');
      }
      const [a, b] = await Promise.all([
        this.hash(part(0, half), field),
        this.hash(part(half, batch.rows), field),
      ]);
      return Buffer.concat([a, b]);
    }
    while (this.free.length === 0 && !this.failed) {
      await new Promise<void>((r) => this.freed.push(r));
    }
    if (this.failed) {
      throw this.failed;
    }
    const slot = this.free.pop() as number;
    const s = this.slots[slot] as (typeof this.slots)[number];
    const end = batch.rows > 0 ? lastEnd(batch) : lo;
    batch.buf.copy(s.bytes, 0, lo, end);
    for (let r = 0; r < batch.rows; r++) {
      const i = r * batch.fields + field;
      s.pos[r] = (batch.pos[i] as number) - lo;
      s.len[r] = batch.len[i] as number;
    }
    s.rows = batch.rows;
    const threads = this.workers.length;
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting.set(slot, { resolve, reject });
      (this.workers[slot % threads] as Worker).postMessage({
        slot: Math.floor(slot / threads),
        rows: batch.rows,
      });
    });
  }

  /** Hashes each batch as it arrives, keeping up to `ahead` batches in flight. */
  async *hashed(
    batches: AsyncIterable<CopyBatch>,
    field: number,
    ahead = 8,
  ): AsyncGenerator<CopyBatch & { hashes: Buffer }> {
    const it = batches[Symbol.asyncIterator]();
    const queue: Array<Promise<CopyBatch & { hashes: Buffer }>> = [];
    let done = false;
    try {
      for (;;) {
        while (!done && queue.length < ahead) {
          const r = await it.next();
          if (r.done) {
            done = true;
            break;
          }
          const b = r.value;
          const p = this.hash(b, field).then((hashes) => ({ ...b, hashes }));
          p.catch(() => undefined); // awaited below, in order
          queue.push(p);
        }
        const p = queue.shift();
        if (!p) {
          return;
        }
        yield await p;
      }
    } finally {
      await it.return?.(undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Where the batch's last row ends. */
function lastEnd(batch: CopyBatch): number {
  let end = 0;
  const from = (batch.rows - 1) * batch.fields;
  for (let i = from; i < from + batch.fields; i++) {
    const l = batch.len[i] as number;
    end = Math.max(end, (batch.pos[i] as number) + Math.max(0, l));
  }
  return end;
}
