import crypto from 'node:crypto';
import { canonicalBytes } from './canonical-json.js';
import { type HashAlg, hash } from './merkle.js';

/**
 * The canonical ledger entry (pure): an event as RFC 8785 JSON, version 1, with any personal data
 * replaced by its salted digest. The leaf of the Merkle tree is H(0x00 ‖ these bytes).
 */
export interface EntrySource {
  id: number;
  occurredAt: Date;
  type: string;
  actorKind: string;
  actorId: string | null;
  orgId: string | null;
  subjectType: string | null;
  subjectId: string | null;
  data: Record<string, unknown>;
  requestId: string | null;
  /** Digest of the personal part stored beside the entry, or null. */
  personalDigest: Buffer | null;
}

export function entryBytes(e: EntrySource): Buffer {
  return canonicalBytes({
    v: 1,
    id: e.id,
    at: e.occurredAt.toISOString(),
    type: e.type,
    actor: { kind: e.actorKind, id: e.actorId },
    org: e.orgId,
    subject: { type: e.subjectType, id: e.subjectId },
    data: e.data,
    req: e.requestId,
    personal: e.personalDigest ? e.personalDigest.toString('hex') : null,
  });
}

/** Salted digest of the personal part: H(salt ‖ JCS(personal)); the salt is erased with the data. */
export function personalDigest(alg: HashAlg, salt: Buffer, personal: Record<string, unknown>): Buffer {
  return hash(alg, salt, canonicalBytes(personal));
}

export const newSalt = (): Buffer => crypto.randomBytes(16);
