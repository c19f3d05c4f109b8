import smCrypto from 'sm-crypto';

/**
 * Client-side checking of what the ledger API publishes (pure: no Node APIs, no Vue, no I/O), so
 * the same code runs in the browser console and in node tests. It re-derives everything from the
 * wire formats: C2SP signed-note checkpoints (Ed25519 via WebCrypto, SM2 via sm-crypto with the
 * server's convention — SM3 hash with Z value, distinguishing ID `1234567812345678`, raw r‖s), the
 * RFC 8785 entry of an event, RFC 9162 leaf/node hashes (SHA-256 via WebCrypto, SM3 via sm-crypto)
 * and inclusion/consistency proofs. Every check returns the list of steps and which one failed.
 */

export type HashAlg = 'sha256' | 'sm3';
export type KeyAlg = 'ed25519' | 'sm2' | 'cosig';

type Bytes = Uint8Array<ArrayBuffer>;

// sm-crypto is CommonJS: its default export is the namespace (named imports fail under Node ESM).
const { sm2, sm3 } = smCrypto;

export const SM2_ID = '1234567812345678';
const SM2_TYPE_TEXT = `https://govhub.example/sigtype/sm2-sm3/id=${SM2_ID}\n`;
const EM_DASH = '\u2014';
const encoder = new TextEncoder();

// ---- bytes ----

export const utf8 = (s: string): Bytes => new Uint8Array(encoder.encode(s));

export function hexToBytes(hex: string): Bytes {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) {
    throw new Error('not hex');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  return out;
}

export const bytesToHex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function base64ToBytes(b64: string): Bytes {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out;
}

export function bytesToBase64(b: Uint8Array): string {
  let s = '';
  for (const x of b) {
    s += String.fromCharCode(x);
  }
  return btoa(s);
}

function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    return false;
  }
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    d |= (a[i] as number) ^ (b[i] as number);
  }
  return d === 0;
}

// ---- hashes (RFC 9162 §2.1.1) ----

export async function digest(alg: HashAlg, data: Uint8Array): Promise<Bytes> {
  if (alg === 'sm3') {
    return hexToBytes(sm3(Array.from(data)));
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(data)));
}

export const leafHash = (alg: HashAlg, entry: Uint8Array): Promise<Bytes> =>
  digest(alg, concat(new Uint8Array([0]), entry));
export const nodeHash = (alg: HashAlg, left: Uint8Array, right: Uint8Array): Promise<Bytes> =>
  digest(alg, concat(new Uint8Array([1]), left, right));

// ---- entries (RFC 8785 JSON, as src/ledger/entry.ts writes them) ----

/** RFC 8785 JSON Canonicalization Scheme. */
export function canonicalize(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError('JCS: non-finite number');
      }
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v) => canonicalize(v)).join(',')}]`;
      }
      const obj = value as Record<string, unknown>;
      const members = Object.keys(obj)
        .sort()
        .filter((k) => obj[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${canonicalize(obj[k])}`);
      return `{${members.join(',')}}`;
    }
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new TypeError(`JCS: cannot serialise ${typeof value}`);
  }
  throw new TypeError('JCS: unreachable');
}

/** The fields of an event as `GET /ledger/events` returns them. */
export interface LedgerEventLike {
  id: number;
  occurredAt: string;
  type: string;
  actor: { kind: string; id: string | null };
  orgId: string | null;
  subject: { type: string | null; id: string | null };
  data: Record<string, unknown>;
  requestId: string | null;
  personalDigest?: string | null;
}

/** The canonical entry (version 1) of an event: the leaf is H(0x00 ‖ these UTF-8 bytes). */
export function entryJson(e: LedgerEventLike): string {
  return canonicalize({
    v: 1,
    id: e.id,
    at: new Date(e.occurredAt).toISOString(),
    type: e.type,
    actor: { kind: e.actor.kind, id: e.actor.id },
    org: e.orgId,
    subject: { type: e.subject.type, id: e.subject.id },
    data: e.data,
    req: e.requestId,
    personal: e.personalDigest ?? null,
  });
}

export async function eventLeafHash(alg: HashAlg, e: LedgerEventLike): Promise<string> {
  return bytesToHex(await leafHash(alg, utf8(entryJson(e))));
}

// ---- keys and signed notes (C2SP signed-note, tlog-checkpoint) ----

export interface NoteKey {
  name: string;
  alg: KeyAlg;
  keyId: Bytes;
  publicKey: Bytes;
  vkey: string;
}

const typeBytes = (alg: KeyAlg): Bytes =>
  alg === 'ed25519'
    ? new Uint8Array([0x01])
    : alg === 'cosig'
      ? new Uint8Array([0x04])
      : concat(new Uint8Array([0xff]), utf8(SM2_TYPE_TEXT));

async function keyIdOf(name: string, alg: KeyAlg, publicKey: Uint8Array): Promise<Bytes> {
  const h = await crypto.subtle.digest('SHA-256', concat(utf8(`${name}\n`), typeBytes(alg), publicKey));
  return new Uint8Array(h).slice(0, 4);
}

/** Parses a verifier key `name+hexKeyId+base64(type ‖ key)` and checks its key ID. */
export async function parseVkey(vkey: string): Promise<NoteKey> {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey);
  if (!m) {
    throw new Error(`malformed verifier key: ${vkey}`);
  }
  const [, name, hexId, b64] = m as unknown as [string, string, string, string];
  const raw = base64ToBytes(b64);
  const sm2Type = typeBytes('sm2');
  let alg: KeyAlg;
  if (raw[0] === 0x01) {
    alg = 'ed25519';
  } else if (raw[0] === 0x04) {
    alg = 'cosig';
  } else if (equalBytes(raw.subarray(0, sm2Type.length), sm2Type)) {
    alg = 'sm2';
  } else {
    throw new Error(`unsupported key type in ${vkey}`);
  }
  const publicKey = raw.slice(typeBytes(alg).length);
  const keyId = await keyIdOf(name, alg, publicKey);
  if (bytesToHex(keyId) !== hexId) {
    throw new Error(`key ID mismatch in ${vkey}`);
  }
  return { name, alg, keyId, publicKey, vkey };
}

async function ed25519Verify(publicKey: Bytes, sig: Bytes, msg: Bytes): Promise<boolean> {
  let key: Awaited<ReturnType<typeof crypto.subtle.importKey>>;
  try {
    key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    throw new Error(`this browser cannot check Ed25519 signatures (${(e as Error).message})`);
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, key, sig, msg);
}

/** Verifies one signature of a note's body under a key, with the algorithm's convention. */
export async function verifySignature(key: NoteKey, msg: Bytes, sig: Bytes): Promise<boolean> {
  switch (key.alg) {
    case 'sm2':
      return (
        sig.length === 64 &&
        sm2.doVerifySignature(Array.from(msg), bytesToHex(sig), bytesToHex(key.publicKey), {
          hash: true,
          der: false,
          userId: SM2_ID,
        })
      );
    case 'cosig': {
      // uint64 timestamp ‖ Ed25519 over "cosignature/v1\ntime T\n" ‖ body
      if (sig.length !== 72) {
        return false;
      }
      const t = new DataView(sig.buffer, sig.byteOffset, 8).getBigUint64(0);
      return ed25519Verify(key.publicKey, sig.slice(8), concat(utf8(`cosignature/v1\ntime ${t}\n`), msg));
    }
    case 'ed25519':
      return ed25519Verify(key.publicKey, sig, msg);
  }
}

export interface NoteSignature {
  name: string;
  keyId: Bytes;
  sig: Bytes;
}

export function parseNote(text: string): { body: string; sigs: NoteSignature[] } {
  if ([...text].some((c) => c.charCodeAt(0) < 0x20 && c !== '\n')) {
    throw new Error('note has control characters');
  }
  const split = text.lastIndexOf('\n\n');
  if (split < 0 || !text.endsWith('\n')) {
    throw new Error('malformed note');
  }
  const body = text.slice(0, split + 1);
  const sigs: NoteSignature[] = [];
  for (const line of text.slice(split + 2, -1).split('\n')) {
    const m = new RegExp(`^${EM_DASH} (\\S+) (\\S+)$`).exec(line);
    if (!m) {
      throw new Error('malformed signature line');
    }
    const raw = base64ToBytes(m[2] as string);
    if (raw.length < 5) {
      throw new Error('malformed signature line');
    }
    sigs.push({ name: m[1] as string, keyId: raw.slice(0, 4), sig: raw.slice(4) });
  }
  if (sigs.length === 0) {
    throw new Error('note has no signatures');
  }
  return { body, sigs };
}

export interface Checkpoint {
  origin: string;
  size: number;
  root: Bytes;
}

export function parseCheckpointBody(body: string): Checkpoint {
  const lines = body.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') {
    throw new Error('malformed checkpoint');
  }
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!origin || !/^(0|[1-9]\d*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new Error('malformed checkpoint');
  }
  const root = base64ToBytes(rootText);
  if (bytesToBase64(root) !== rootText || root.length !== 32) {
    throw new Error('malformed checkpoint root');
  }
  return { origin, size: Number(sizeText), root };
}

// ---- proofs (RFC 9162 §2.1.3.2, §2.1.4.2) ----

const odd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

/** The root an inclusion proof leads to, or null when the proof has the wrong shape for (index, size). */
export async function rootFromInclusion(
  alg: HashAlg,
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<Bytes | null> {
  if (index < 0 || index >= size) {
    return null;
  }
  let fn = index;
  let sn = size - 1;
  let r: Bytes = concat(leaf);
  for (const p of proof) {
    if (sn === 0) {
      return null;
    }
    if (odd(fn) || fn === sn) {
      r = await nodeHash(alg, p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = await nodeHash(alg, r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

const isPowerOfTwo = (x: number) => x > 0 && (x & (x - 1)) === 0;

/** RFC 9162 §2.1.4.2: does the proof show the tree of `second` extends the tree of `first`? */
export async function verifyConsistencyProof(
  alg: HashAlg,
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  path: readonly Uint8Array[],
): Promise<boolean> {
  if (first > second || first < 0) {
    return false;
  }
  if (first === second) {
    return path.length === 0 && equalBytes(firstRoot, secondRoot);
  }
  if (first === 0) {
    return path.length === 0;
  }
  if (path.length === 0) {
    return false;
  }
  const p = isPowerOfTwo(first) ? [firstRoot, ...path] : [...path];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Bytes = concat(p[0] as Uint8Array);
  let sr: Bytes = fr;
  for (const c of p.slice(1)) {
    if (sn === 0) {
      return false;
    }
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(alg, c, fr);
      sr = await nodeHash(alg, c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = await nodeHash(alg, sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return equalBytes(fr, firstRoot) && equalBytes(sr, secondRoot) && sn === 0;
}

// ---- whole checks, step by step ----

export type CheckStep =
  'keys' | 'signature' | 'checkpoint' | 'leaf' | 'proof' | 'root' | 'digest' | 'consistency';

export interface StepResult {
  step: CheckStep;
  ok: boolean;
  /** What was compared (hashes, signers) or why it failed, in plain technical English. */
  detail: string;
}

export interface CheckResult {
  ok: boolean;
  steps: StepResult[];
  /** The first failed step, if any. */
  failed?: StepResult;
  checkpoint?: { origin: string; size: number; root: string };
}

/** A key as `GET /ledger/keys` publishes it. */
export interface PublishedKey {
  vkey: string;
  purpose: string;
}

class Steps {
  readonly steps: StepResult[] = [];
  checkpoint?: CheckResult['checkpoint'];
  pass(step: CheckStep, detail: string): void {
    this.steps.push({ step, ok: true, detail });
  }
  fail(step: CheckStep, detail: string): CheckResult {
    const failed = { step, ok: false, detail };
    this.steps.push(failed);
    return { ok: false, steps: this.steps, failed, checkpoint: this.checkpoint };
  }
  done(): CheckResult {
    return { ok: true, steps: this.steps, checkpoint: this.checkpoint };
  }
}

const short = (hex: string) => `${hex.slice(0, 16)}…`;
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function logKeys(keys: readonly PublishedKey[], s: Steps): Promise<NoteKey[] | CheckResult> {
  try {
    const parsed = await Promise.all(keys.filter((k) => k.purpose === 'log').map((k) => parseVkey(k.vkey)));
    if (parsed.length === 0) {
      return s.fail('keys', 'no log key is published');
    }
    s.pass('keys', parsed.map((k) => `${k.name} ${k.alg} ${bytesToHex(k.keyId)}`).join('; '));
    return parsed;
  } catch (e) {
    return s.fail('keys', errText(e));
  }
}

/**
 * Checks a checkpoint note: every signature by a published log key must verify and at least one
 * must be present (lines by unknown keys — witness cosignatures — are ignored, as C2SP says).
 */
async function checkNote(
  note: string,
  keys: readonly NoteKey[],
  s: Steps,
  origin?: string,
): Promise<Checkpoint | CheckResult> {
  let parsed;
  try {
    parsed = parseNote(note);
  } catch (e) {
    return s.fail('signature', errText(e));
  }
  const msg = utf8(parsed.body);
  const signedBy: string[] = [];
  for (const sig of parsed.sigs) {
    const key = keys.find((k) => k.name === sig.name && equalBytes(k.keyId, sig.keyId));
    if (!key) {
      continue;
    }
    let ok: boolean;
    try {
      ok = await verifySignature(key, msg, sig.sig);
    } catch (e) {
      return s.fail('signature', errText(e));
    }
    if (!ok) {
      return s.fail('signature', `bad ${key.alg} signature by ${key.name}+${bytesToHex(key.keyId)}`);
    }
    signedBy.push(`${key.alg} ${bytesToHex(key.keyId)}`);
  }
  if (signedBy.length === 0) {
    return s.fail('signature', 'no signature by a published log key');
  }
  s.pass('signature', signedBy.join(', '));
  let cp: Checkpoint;
  try {
    cp = parseCheckpointBody(parsed.body);
  } catch (e) {
    return s.fail('checkpoint', errText(e));
  }
  if (origin !== undefined && cp.origin !== origin) {
    return s.fail('checkpoint', `origin ${cp.origin} is not the log's ${origin}`);
  }
  return cp;
}

const isResult = (x: unknown): x is CheckResult => typeof x === 'object' && x !== null && 'steps' in x;

export interface InclusionCheck {
  /** The log's hash (`GET /ledger` → hashAlg). */
  alg: HashAlg;
  /** The log's origin (`GET /ledger` → origin); the checkpoint must name it. */
  origin?: string;
  keys: readonly PublishedKey[];
  /** The signed checkpoint to check against (C2SP note text). */
  checkpoint: string;
  /** The event as listed; its leaf is recomputed from it. Without it the claimed leaf hash is used. */
  event?: LedgerEventLike;
  /** Leaf hash the server claims (event.ledger.leafHash or the receipt's). */
  leafHash?: string;
  index: number;
  treeSize: number;
  hashes: readonly string[];
  /** `x-govhub-body-sha256` of a data response: must equal the event's data.responseDigest. */
  bodyDigest?: string;
}

/** Signature of the checkpoint, leaf recomputed from the entry, root from the inclusion proof. */
export async function checkInclusion(input: InclusionCheck): Promise<CheckResult> {
  const s = new Steps();
  const keys = await logKeys(input.keys, s);
  if (isResult(keys)) {
    return keys;
  }
  const cp = await checkNote(input.checkpoint, keys, s, input.origin);
  if (isResult(cp)) {
    return cp;
  }
  const rootHex = bytesToHex(cp.root);
  s.checkpoint = { origin: cp.origin, size: cp.size, root: rootHex };
  if (cp.size !== input.treeSize) {
    return s.fail('checkpoint', `proof is for tree size ${input.treeSize}, checkpoint has ${cp.size}`);
  }
  s.pass('checkpoint', `${cp.origin} size ${cp.size} root ${short(rootHex)}`);

  let leaf: string;
  if (input.event) {
    leaf = await eventLeafHash(input.alg, input.event);
    if (input.leafHash !== undefined && input.leafHash !== leaf) {
      return s.fail(
        'leaf',
        `entry hashes to ${short(leaf)}, the log has ${short(input.leafHash)} at index ${input.index}`,
      );
    }
    s.pass('leaf', `${input.alg}(0x00 ‖ entry) = ${short(leaf)}`);
  } else if (input.leafHash) {
    leaf = input.leafHash;
    s.pass('leaf', `claimed ${short(leaf)} (entry not recomputed)`);
  } else {
    return s.fail('leaf', 'no entry and no leaf hash');
  }

  let root: Bytes | null;
  try {
    root = await rootFromInclusion(
      input.alg,
      input.index,
      input.treeSize,
      hexToBytes(leaf),
      input.hashes.map(hexToBytes),
    );
  } catch (e) {
    return s.fail('proof', errText(e));
  }
  if (!root) {
    return s.fail(
      'proof',
      `${input.hashes.length} hashes do not form a proof for index ${input.index} in ${input.treeSize}`,
    );
  }
  s.pass('proof', `${input.hashes.length} hashes, index ${input.index} of ${input.treeSize}`);
  const computed = bytesToHex(root);
  if (computed !== rootHex) {
    return s.fail('root', `proof leads to ${short(computed)}, checkpoint root is ${short(rootHex)}`);
  }
  s.pass('root', `${short(computed)} = checkpoint root`);

  if (input.bodyDigest !== undefined) {
    const recorded = input.event?.data.responseDigest;
    const given = input.bodyDigest.trim().toLowerCase();
    if (typeof recorded !== 'string' || recorded !== given) {
      return s.fail(
        'digest',
        typeof recorded === 'string'
          ? `body digest ${short(given)} is not the recorded ${short(recorded)}`
          : 'the event records no response digest',
      );
    }
    s.pass('digest', `${short(given)} = data.responseDigest`);
  }
  return s.done();
}

export interface ConsistencyCheck {
  alg: HashAlg;
  origin?: string;
  keys: readonly PublishedKey[];
  older: string;
  newer: string;
  hashes: readonly string[];
}

/** Both checkpoints signed, and the newer tree provably extends the older one. */
export async function checkConsistency(input: ConsistencyCheck): Promise<CheckResult> {
  const s = new Steps();
  const keys = await logKeys(input.keys, s);
  if (isResult(keys)) {
    return keys;
  }
  const a = await checkNote(input.older, keys, s, input.origin);
  if (isResult(a)) {
    return a;
  }
  const b = await checkNote(input.newer, keys, s, input.origin);
  if (isResult(b)) {
    return b;
  }
  s.checkpoint = { origin: b.origin, size: b.size, root: bytesToHex(b.root) };
  s.pass('checkpoint', `${a.size} → ${b.size}`);
  let ok: boolean;
  try {
    ok = await verifyConsistencyProof(
      input.alg,
      a.size,
      b.size,
      a.root,
      b.root,
      input.hashes.map(hexToBytes),
    );
  } catch (e) {
    return s.fail('consistency', errText(e));
  }
  if (!ok) {
    return s.fail(
      'consistency',
      `${input.hashes.length} hashes do not prove tree ${b.size} extends tree ${a.size}`,
    );
  }
  s.pass('consistency', `${input.hashes.length} hashes: tree ${b.size} extends tree ${a.size}`);
  return s.done();
}

/**
 * Reads a pasted receipt: the `x-govhub-receipt` value (`event=123`), the header lines of a data
 * response (receipt and `x-govhub-body-sha256`), a stream's trailer line (`{"_trailer":{"receipt":
 * "event=123","bodySha256":"…"}}` or `# {…}`), or a bare event id.
 */
export function parseReceipt(text: string): { eventId: number; bodyDigest?: string } | undefined {
  const m = /\bevent=(\d+)\b/.exec(text) ?? /^\s*(\d+)\s*$/.exec(text);
  const eventId = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(eventId) || eventId < 1) {
    return undefined;
  }
  const d = /(?:x-govhub-body-sha256\s*:\s*|"bodySha256"\s*:\s*")([0-9a-fA-F]{64})\b/i.exec(text);
  return d ? { eventId, bodyDigest: (d[1] as string).toLowerCase() } : { eventId };
}
