import crypto from 'node:crypto';
import { sm2 } from 'sm-crypto';

/**
 * C2SP signed notes, checkpoints and cosignatures (pure apart from the signing primitives):
 * Ed25519 (type 0x01), timestamped Ed25519 cosignatures (0x04) and GB/T 32918 SM2 signatures
 * (custom type 0xff followed by a long identifier, always carried beside an Ed25519 signature).
 */

export type SigAlg = 'ed25519' | 'sm2' | 'cosig';
export const SM2_ID = '1234567812345678';
/** The long identifier after 0xff naming SM2-with-SM3 and the distinguishing ID. */
export const SM2_TYPE = Buffer.concat([
  Buffer.from([0xff]),
  Buffer.from(`https://govhub.example/sigtype/sm2-sm3/id=${SM2_ID}\n`, 'utf8'),
]);
const TYPE_BYTES: Record<SigAlg, Buffer> = {
  ed25519: Buffer.from([0x01]),
  cosig: Buffer.from([0x04]),
  sm2: SM2_TYPE,
};
const EM_DASH = '\u2014';

export interface Signer {
  name: string;
  alg: SigAlg;
  keyId: Buffer;
  publicKey: Buffer;
  sign(msg: Buffer): Buffer;
}

export interface Verifier {
  name: string;
  alg: SigAlg;
  keyId: Buffer;
  publicKey: Buffer;
  verify(msg: Buffer, sig: Buffer): boolean;
}

export function keyIdOf(name: string, alg: SigAlg, publicKey: Buffer): Buffer {
  return crypto
    .createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), TYPE_BYTES[alg], publicKey]))
    .digest()
    .subarray(0, 4);
}

/** `<name>+<hex keyID>+<base64(type ‖ public key)>` */
export function vkeyOf(v: { name: string; alg: SigAlg; publicKey: Buffer }): string {
  const id = keyIdOf(v.name, v.alg, v.publicKey);
  return `${v.name}+${id.toString('hex')}+${Buffer.concat([TYPE_BYTES[v.alg], v.publicKey]).toString('base64')}`;
}

const edKeys = new Map<string, crypto.KeyObject>();
function edPublicKey(raw: Buffer): crypto.KeyObject {
  const k = raw.toString('hex');
  let key = edKeys.get(k);
  if (!key) {
    key = crypto.createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
    edKeys.set(k, key);
  }
  return key;
}

export function parseVkey(vkey: string): Verifier {
  // The name has no '+'; the base64 part may.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey);
  if (!m) {
    throw new Error(`malformed verifier key: ${vkey}`);
  }
  const [, name, hexId, b64] = m as unknown as [string, string, string, string];
  const raw = Buffer.from(b64, 'base64');
  let alg: SigAlg;
  if (raw[0] === 0x01) {
    alg = 'ed25519';
  } else if (raw[0] === 0x04) {
    alg = 'cosig';
  } else if (raw.subarray(0, SM2_TYPE.length).equals(SM2_TYPE)) {
    alg = 'sm2';
  } else {
    throw new Error(`unsupported key type in ${vkey}`);
  }
  const publicKey = raw.subarray(TYPE_BYTES[alg].length);
  const keyId = keyIdOf(name, alg, publicKey);
  if (keyId.toString('hex') !== hexId) {
    throw new Error(`key ID mismatch in ${vkey}`);
  }
  return makeVerifier(name, alg, publicKey);
}

export function makeVerifier(name: string, alg: SigAlg, publicKey: Buffer): Verifier {
  const keyId = keyIdOf(name, alg, publicKey);
  if (alg === 'sm2') {
    const pub = publicKey.toString('hex');
    return {
      name,
      alg,
      keyId,
      publicKey,
      verify: (msg, sig) =>
        sig.length === 64 &&
        sm2.doVerifySignature(Array.from(msg), sig.toString('hex'), pub, {
          hash: true,
          der: false,
          userId: SM2_ID,
        }),
    };
  }
  const key = edPublicKey(publicKey);
  if (alg === 'cosig') {
    return {
      name,
      alg,
      keyId,
      publicKey,
      // sig = uint64 timestamp ‖ Ed25519 signature over "cosignature/v1\ntime T\n" + body
      verify: (msg, sig) => {
        if (sig.length !== 72) {
          return false;
        }
        const t = sig.readBigUInt64BE(0);
        return crypto.verify(null, cosignedMessage(t, msg), key, sig.subarray(8));
      },
    };
  }
  return { name, alg, keyId, publicKey, verify: (msg, sig) => crypto.verify(null, msg, key, sig) };
}

export interface KeyMaterial {
  alg: SigAlg;
  publicKey: Buffer;
  /** Ed25519: PKCS#8 DER; SM2: the 32-byte private scalar. */
  privateKey: Buffer;
}

export function generateKey(alg: SigAlg): KeyMaterial {
  if (alg === 'sm2') {
    const k = sm2.generateKeyPairHex();
    return { alg, publicKey: Buffer.from(k.publicKey, 'hex'), privateKey: Buffer.from(k.privateKey, 'hex') };
  }
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    alg,
    publicKey: Buffer.from(jwk.x as string, 'base64url'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }),
  };
}

export function makeSigner(name: string, k: KeyMaterial): Signer {
  const keyId = keyIdOf(name, k.alg, k.publicKey);
  if (k.alg === 'sm2') {
    const priv = k.privateKey.toString('hex');
    const pub = k.publicKey.toString('hex');
    return {
      name,
      alg: k.alg,
      keyId,
      publicKey: k.publicKey,
      sign: (msg) =>
        Buffer.from(
          sm2.doSignature(Array.from(msg), priv, { hash: true, der: false, userId: SM2_ID, publicKey: pub }),
          'hex',
        ),
    };
  }
  const key = crypto.createPrivateKey({ key: k.privateKey, format: 'der', type: 'pkcs8' });
  if (k.alg === 'cosig') {
    return {
      name,
      alg: k.alg,
      keyId,
      publicKey: k.publicKey,
      sign: (msg) => {
        const t = BigInt(Math.floor(Date.now() / 1000));
        const ts = Buffer.alloc(8);
        ts.writeBigUInt64BE(t);
        return Buffer.concat([ts, crypto.sign(null, cosignedMessage(t, msg), key)]);
      },
    };
  }
  return { name, alg: k.alg, keyId, publicKey: k.publicKey, sign: (msg) => crypto.sign(null, msg, key) };
}

function cosignedMessage(t: bigint, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`cosignature/v1\ntime ${t}\n`, 'utf8'), body]);
}

// ---- checkpoints ----

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

export function checkpointBody(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

export function parseCheckpointBody(body: string): Checkpoint {
  const lines = body.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') {
    throw new Error('malformed checkpoint');
  }
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!origin || !/^(0|[1-9]\d*)$/.test(sizeText)) {
    throw new Error('malformed checkpoint');
  }
  const size = BigInt(sizeText);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error('checkpoint size too large');
  }
  const root = Buffer.from(rootText, 'base64');
  if (root.toString('base64') !== rootText || root.length !== 32) {
    throw new Error('malformed checkpoint root');
  }
  return { origin, size: Number(size), root };
}

export interface NoteSignature {
  name: string;
  keyId: Buffer;
  sig: Buffer;
}

export interface Note {
  body: string;
  sigs: NoteSignature[];
}

export function signNote(body: string, signers: readonly Signer[]): string {
  const msg = Buffer.from(body, 'utf8');
  const lines = signers.map(
    (s) => `${EM_DASH} ${s.name} ${Buffer.concat([s.keyId, s.sign(msg)]).toString('base64')}\n`,
  );
  return `${body}\n${lines.join('')}`;
}

export function parseNote(text: string): Note {
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
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) {
      throw new Error('malformed signature line');
    }
    const raw = Buffer.from(m[2] as string, 'base64');
    if (raw.length < 5) {
      throw new Error('malformed signature line');
    }
    sigs.push({ name: m[1] as string, keyId: raw.subarray(0, 4), sig: raw.subarray(4) });
  }
  if (sigs.length === 0) {
    throw new Error('note has no signatures');
  }
  return { body, sigs };
}

/** Adds signature lines to an already signed note (witness cosignatures). */
export function addSignatures(note: string, lines: readonly NoteSignature[]): string {
  return (
    note +
    lines.map((s) => `${EM_DASH} ${s.name} ${Buffer.concat([s.keyId, s.sig]).toString('base64')}\n`).join('')
  );
}

/**
 * Verifies a note: unknown (name, key ID) pairs are ignored, a known key whose signature fails
 * rejects the note, and at least one known key must have signed. Returns the verifiers that did.
 */
export function verifyNote(text: string, known: readonly Verifier[]): { body: string; signedBy: Verifier[] } {
  const note = parseNote(text);
  const msg = Buffer.from(note.body, 'utf8');
  const signedBy: Verifier[] = [];
  for (const s of note.sigs) {
    const v = known.find((k) => k.name === s.name && k.keyId.equals(s.keyId));
    if (!v) {
      continue;
    }
    if (!v.verify(msg, s.sig)) {
      throw new Error(`bad signature by ${s.name}+${s.keyId.toString('hex')}`);
    }
    signedBy.push(v);
  }
  if (signedBy.length === 0) {
    throw new Error('no signature by a known key');
  }
  return { body: note.body, signedBy };
}
