/**
 * Secrets at rest (e.g. linked-source passwords): AES-256-GCM with a 256-bit key taken from
 * GOVHUB_SECRET_KEY (hashed to 32 bytes) or, when unset, from a key file generated once in the data
 * directory (mode 0600). Ciphertext format: `v1.<iv b64url>.<tag b64url>.<ciphertext b64url>`.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKeyMaterial(material: string): SecretBox {
    return new SecretBox(createHash('sha256').update(`govhub-secrets:${material}`).digest());
  }

  /** The key from the environment, or the data directory's key file (generated when missing). */
  static open(opts: { secretKey: string | undefined; dataDir: string }): SecretBox {
    if (opts.secretKey) {
      return SecretBox.fromKeyMaterial(opts.secretKey);
    }
    if (opts.dataDir.startsWith('memory://')) {
      return new SecretBox(randomBytes(32));
    }
    const file = path.join(opts.dataDir, 'secret.key');
    try {
      return new SecretBox(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw e;
      }
    }
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const key = randomBytes(32);
    fs.writeFileSync(file, key.toString('base64url'), { mode: 0o600, flag: 'wx' });
    return new SecretBox(key);
  }

  /** A 32-byte key for one purpose (e.g. the sharing pseudonym master key), derived from the secret key. */
  deriveKey(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`govhub-derive:${purpose}`).digest();
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return [
      'v1',
      iv.toString('base64url'),
      c.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  decrypt(box: string): string {
    const [v, iv, tag, body] = box.split('.');
    if (v !== 'v1' || !iv || !tag || body === undefined) {
      throw new Error('not a govhub secret');
    }
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  }
}
