import crypto from 'node:crypto';
import { canonicalBytes, canonicalize } from './canonical-json.js';
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

/** An entry's fields with `data` already in RFC 8785 form and the time as ISO text. */
export interface EntryFields {
  id: number;
  at: string;
  type: string;
  actorKind: string;
  actorId: string | null;
  orgId: string | null;
  subjectType: string | null;
  subjectId: string | null;
  dataJcs: string;
  requestId: string | null;
  personalDigest: Buffer | null;
}

const str = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));

/**
 * The entry's canonical text, written out member by member in RFC 8785 order (actor, at, data, id,
 * org, personal, req, subject, type, v) — the same bytes as canonicalising the entry object, without
 * walking it (tests hold the two equal).
 */
export function entryText(e: EntryFields): string {
  return (
    `{"actor":{"id":${str(e.actorId)},"kind":${JSON.stringify(e.actorKind)}},"at":${JSON.stringify(e.at)}` +
    `,"data":${e.dataJcs},"id":${canonicalize(e.id)},"org":${str(e.orgId)}` +
    `,"personal":${e.personalDigest ? `"${e.personalDigest.toString('hex')}"` : 'null'}` +
    `,"req":${str(e.requestId)},"subject":{"id":${str(e.subjectId)},"type":${str(e.subjectType)}}` +
    `,"type":${JSON.stringify(e.type)},"v":1}`
  );
}

export function entryFields(e: EntrySource): EntryFields {
  return {
    id: e.id,
    at: e.occurredAt.toISOString(),
    type: e.type,
    actorKind: e.actorKind,
    actorId: e.actorId,
    orgId: e.orgId,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    dataJcs: canonicalize(e.data),
    requestId: e.requestId,
    personalDigest: e.personalDigest,
  };
}

export function entryBytes(e: EntrySource): Buffer {
  return Buffer.from(entryText(entryFields(e)), 'utf8');
}

/** The entry object itself (the reference form `entryText` must equal once canonicalised). */
export function entryObject(e: EntrySource): Record<string, unknown> {
  return {
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
  };
}

const oneShot = (crypto as unknown as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;

/** H(0x00 ‖ UTF-8(text)): the leaf hash of an entry given as text, without building its bytes first. */
export function leafHashOfText(alg: HashAlg, text: string): Buffer {
  const data = `\u0000${text}`;
  return oneShot ? oneShot(alg, data, 'buffer') : crypto.createHash(alg).update(data, 'utf8').digest();
}

/** Salted digest of the personal part: H(salt ‖ JCS(personal)); the salt is erased with the data. */
export function personalDigest(alg: HashAlg, salt: Buffer, personal: Record<string, unknown>): Buffer {
  return hash(alg, salt, canonicalBytes(personal));
}

export const newSalt = (): Buffer => crypto.randomBytes(16);
