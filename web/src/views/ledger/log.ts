import { api, call, type LedgerEvent } from '../../api/client';
import { t } from '../../i18n';
import { type CheckResult, checkInclusion, type HashAlg, type PublishedKey } from './verify';

/** What every check needs from the log: its hash, origin and published keys (all public endpoints). */
export interface LogInfo {
  alg: HashAlg;
  origin: string;
  size: number;
  keys: PublishedKey[];
}

export async function loadLog(): Promise<LogInfo> {
  const [info, keys] = await Promise.all([
    call(api.GET('/api/v1/ledger')),
    call(api.GET('/api/v1/ledger/keys')),
  ]);
  return { alg: info.hashAlg === 'sm3' ? 'sm3' : 'sha256', origin: info.origin, size: info.size, keys };
}

/** The latest signed checkpoint (C2SP note text, with any witness cosignatures). */
export async function latestCheckpoint(): Promise<string> {
  const note = await call(api.GET('/api/v1/ledger/log/checkpoint', { parseAs: 'text' }));
  return String(note);
}

/** Tree size written on a checkpoint's second line (the signature is checked separately). */
export function noteSize(note: string): number {
  return Number(note.split('\n')[1]);
}

/**
 * Checks one event in the browser: the latest signed checkpoint, an inclusion proof for that very tree
 * size, the leaf recomputed from the event's canonical entry.
 */
export async function checkEvent(log: LogInfo, e: LedgerEvent, bodyDigest?: string): Promise<CheckResult> {
  if (!e.ledger) {
    throw new Error(t('ledger.pending'));
  }
  const note = await latestCheckpoint();
  const size = noteSize(note);
  if (!(e.ledger.index < size)) {
    throw new Error(t('ledger.pending'));
  }
  const p = await call(
    api.GET('/api/v1/ledger/proofs/inclusion', {
      params: { query: { index: e.ledger.index, treeSize: size } },
    }),
  );
  return checkInclusion({
    alg: log.alg,
    origin: log.origin,
    keys: log.keys,
    checkpoint: note,
    event: e,
    leafHash: e.ledger.leafHash,
    index: p.index,
    treeSize: p.treeSize,
    hashes: p.hashes,
    ...(bodyDigest ? { bodyDigest } : {}),
  });
}

/** One event by id (the auditor's event list, from just before it). */
export async function eventById(id: number): Promise<LedgerEvent | undefined> {
  const page = await call(
    api.GET('/api/v1/ledger/events', { params: { query: { afterId: id - 1, limit: 1 } } }),
  );
  return page[0]?.id === id ? page[0] : undefined;
}

/**
 * Checks a receipt: its proof against the checkpoint it came with, the leaf recomputed from the event
 * it names, and (when given) the response body digest against the one the event recorded.
 */
export async function checkReceipt(log: LogInfo, eventId: number, bodyDigest?: string): Promise<CheckResult> {
  const [receipt, event] = await Promise.all([
    call(api.GET('/api/v1/ledger/receipts/{id}', { params: { path: { id: eventId } } })),
    eventById(eventId),
  ]);
  if (!event) {
    throw new Error(t('ledger.receiptNoEvent', { id: eventId }));
  }
  return checkInclusion({
    alg: log.alg,
    origin: log.origin,
    keys: log.keys,
    checkpoint: receipt.checkpoint,
    event,
    leafHash: receipt.leafHash,
    index: receipt.index,
    treeSize: receipt.treeSize,
    hashes: receipt.hashes,
    ...(bodyDigest ? { bodyDigest } : {}),
  });
}
