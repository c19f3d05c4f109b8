import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Secrets handed to clients (session tokens, API keys) are random and high-entropy, so a single
 * SHA-256 is the right hash at rest: only the hash is stored, the secret is shown once.
 *
 * API keys read `ghk_<keyId>_<secret>`: the key id finds the row, the secret is compared by hash.
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function newId(): string {
  return randomUUID();
}

export function newKeyId(): string {
  return randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
}

export function formatApiKey(keyId: string, secret: string): string {
  return `ghk_${keyId}_${secret}`;
}

export function parseApiKey(value: string): { keyId: string; secret: string } | undefined {
  const m = /^ghk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{20,})$/.exec(value);
  return m ? { keyId: m[1] as string, secret: m[2] as string } : undefined;
}
