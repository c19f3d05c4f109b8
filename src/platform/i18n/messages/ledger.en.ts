import type { ledgerZh } from './ledger.zh.js';

/** 可验证账本 / verifiable ledger (English). */
export const ledgerEn: Record<keyof typeof ledgerZh, string> = {
  'error.ledger.personalNotFound': 'Event {id} has no personal data',
  'error.ledger.inconsistent':
    'The log is not consistent with the checkpoint signed at size {size}; refusing to sign',
  'error.ledger.noCheckpoint': 'The log has no checkpoint yet',
  'error.ledger.tileNotFound': 'No such tile: {tile}',
  'error.ledger.badSize': 'Invalid tree size: {size}',
  'error.ledger.badHash': 'Hashes are 64 hex digits',
  'error.ledger.proofTarget': 'Give index or leafHash',
  'error.ledger.leafNotFound': 'No such entry in the log: {ref}',
  'error.ledger.receiptPending': 'Event {id} is not covered by a signed checkpoint yet; try again shortly',
  'error.ledger.keyUnavailable':
    "The ledger signing key {key} cannot be opened with this node's secret (GOVHUB_SECRET_KEY or the data directory's secret.key)",
  'error.ledger.badVkey': 'Malformed verifier key',
  'error.ledger.verifySource': 'Give one of --url, --tiles or --data-dir',
  'cli.ledger.verifyOk': 'Ledger verified: {size} entries, {checkpoints} checkpoints, root {root} ({ms} ms)',
  'cli.ledger.verifyFailed': 'Ledger verification failed: {problem}',
  'cli.ledger.untrustedKeys':
    'Note: no trusted key given with --key; using the keys stored with the data verified (proves internal consistency only)',
  'cli.ledger.integrated': 'Integrated {count} events; tree size {size}',
  'cli.ledger.exported': 'Exported a tile mirror of {size} entries to {dir}',
} as const;
