import { parentPort, workerData } from 'node:worker_threads';
import { type HashAlg, leafHash } from './merkle.js';

/**
 * Worker thread of `LeafHasher`: hashes entries H(0x00 ‖ bytes) for the verifier. The main thread
 * copies a batch's bytes, and where each entry lies in them, into a shared slot; the worker writes 32
 * bytes per entry (zeros for a missing one) into the slot's output and answers with the slot number.
 */

interface Slot {
  bytes: SharedArrayBuffer;
  pos: SharedArrayBuffer;
  len: SharedArrayBuffer;
  out: SharedArrayBuffer;
}

const { alg, slots } = workerData as { alg: HashAlg; slots: Slot[] };
const views = slots.map((s) => ({
  bytes: Buffer.from(s.bytes),
  pos: new Int32Array(s.pos),
  len: new Int32Array(s.len),
  out: Buffer.from(s.out),
}));

parentPort?.on('message', (m: { slot: number; rows: number }) => {
  const v = views[m.slot];
  if (!v) {
    return;
  }
  for (let i = 0; i < m.rows; i++) {
    const l = v.len[i] as number;
    if (l < 0) {
      v.out.fill(0, i * 32, i * 32 + 32);
      continue;
    }
    const p = v.pos[i] as number;
    leafHash(alg, v.bytes.subarray(p, p + l)).copy(v.out, i * 32);
  }
  parentPort?.postMessage(m.slot);
});
