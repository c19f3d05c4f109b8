/**
 * Keyed pseudonyms (假名化) for join keys: HMAC-SM3 by default, HMAC-SHA256 as an option.
 *
 * A bare or salted hash of an ID number can be brute-forced (identifiers.md §6), so tokens are keyed. Keys are
 * derived per linkage scope from a master key the platform holds (KMS in production):
 *   scopeKey = HMAC(master, "govhub/pseudonym/v1" 0x00 scope 0x00 version)
 * The default scope is the grant (`grant:<id>`), so two consumers' tokens for the same person differ and
 * cannot be joined; a grant that must link with another names a shared scope (`linkage:<name>`) explicitly.
 *
 * HMAC-SM3 uses Node's OpenSSL `sm3` when the build has it (≈ 400k tokens/s) and falls back to the pure-JS
 * `sm-crypto` implementation otherwise; the two are cross-checked in the tests.
 */
import { createHmac, getHashes } from 'node:crypto';
import smCrypto from 'sm-crypto';
import { type IdentifierKind, normalizeIdentifier } from './normalize.js';

export type PseudonymAlgorithm = 'hmac-sm3' | 'hmac-sha256';

const NODE_HAS_SM3 = getHashes().includes('sm3');

export interface PseudonymKey {
  algorithm: PseudonymAlgorithm;
  /** The derived scope key (never the master key). */
  key: Buffer;
  /** Key version, written in front of every token so tokens from a rotated key are told apart. */
  version: string;
  /** The linkage scope the key was derived for (`grant:<id>` by default). */
  scope: string;
}

/** HMAC with the given algorithm; hex output. */
export function hmacHex(algorithm: PseudonymAlgorithm, key: Uint8Array, data: string | Uint8Array): string {
  if (algorithm === 'hmac-sha256') {
    return createHmac('sha256', key).update(data).digest('hex');
  }
  if (NODE_HAS_SM3) {
    return createHmac('sm3', key).update(data).digest('hex');
  }
  return hmacSm3Js(key, data);
}

/** HMAC-SM3 through `sm-crypto` (pure JS). Exposed for the cross-check and for OpenSSL builds without SM3. */
export function hmacSm3Js(key: Uint8Array, data: string | Uint8Array): string {
  const input = typeof data === 'string' ? data : Array.from(data);
  return smCrypto.sm3(input, { key: Buffer.from(key).toString('hex') });
}

/** The scope a grant's pseudonyms use unless it names a shared linkage scope. */
export function grantScope(grantId: string, linkageScope?: string | null): string {
  return linkageScope ? `linkage:${linkageScope}` : `grant:${grantId}`;
}

/** Derives the key for one linkage scope and key version from the master key. */
export function derivePseudonymKey(
  master: Uint8Array,
  opts: { scope: string; version: string; algorithm?: PseudonymAlgorithm },
): PseudonymKey {
  if (master.length < 16) {
    throw new RangeError('pseudonym master key must be at least 16 bytes');
  }
  if (!opts.scope || !/^[A-Za-z0-9_.-]+$/.test(opts.version)) {
    throw new RangeError('pseudonym key needs a scope and a version of [A-Za-z0-9_.-]');
  }
  const algorithm = opts.algorithm ?? 'hmac-sm3';
  const info = `govhub/pseudonym/v1\u0000${opts.scope}\u0000${opts.version}`;
  const key = Buffer.from(hmacHex(algorithm, master, info), 'hex');
  return { algorithm, key, version: opts.version, scope: opts.scope };
}

/**
 * The token for one value: `<version>:<hex>`. The value is normalised by identifier kind first, so
 * `11010519491231002x` and `11010519491231002X` (or a 15-digit legacy number) give the same token.
 */
export function pseudonymize(key: PseudonymKey, value: string, kind?: IdentifierKind): string {
  return `${key.version}:${hmacHex(key.algorithm, key.key, normalizeIdentifier(kind, value))}`;
}
