import { Type } from 'typebox';
import { Query } from './common.js';

/** HTTP schemas of the verifiable ledger. */

const Hex32 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'hex SHA-256 / SM3 hash' });

export const LedgerRef = Type.Object({ index: Type.Integer(), leafHash: Hex32 });

export const Event = Type.Object({
  id: Type.Integer(),
  occurredAt: Type.String({ format: 'date-time' }),
  type: Type.String(),
  actor: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  orgId: Type.Union([Type.String(), Type.Null()]),
  subject: Type.Object({
    type: Type.Union([Type.String(), Type.Null()]),
    id: Type.Union([Type.String(), Type.Null()]),
  }),
  data: Type.Record(Type.String(), Type.Unknown()),
  requestId: Type.Union([Type.String(), Type.Null()]),
  personal: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  personalDigest: Type.Optional(Type.Union([Hex32, Type.Null()])),
  ledger: Type.Optional(Type.Union([LedgerRef, Type.Null()])),
  proof: Type.Optional(
    Type.Union([Type.Object({ treeSize: Type.Integer(), hashes: Type.Array(Hex32) }), Type.Null()]),
  ),
});

export const EventQuery = Query({
  afterId: Type.Optional(Type.Integer({ minimum: 0 })),
  type: Type.Optional(Type.String({ maxLength: 100 })),
  subjectType: Type.Optional(Type.String({ maxLength: 50 })),
  subjectId: Type.Optional(Type.String({ maxLength: 100 })),
  orgId: Type.Optional(Type.String({ maxLength: 100 })),
  actorId: Type.Optional(Type.String({ maxLength: 100 })),
  grantId: Type.Optional(Type.String({ maxLength: 100, description: 'events whose data.grantId is this' })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  withProofs: Type.Optional(
    Type.Boolean({ description: 'attach inclusion proofs against the latest checkpoint' }),
  ),
});

export const EventIdParams = Type.Object(
  { id: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export const InclusionQuery = Query({
  index: Type.Optional(Type.Integer({ minimum: 0 })),
  leafHash: Type.Optional(Hex32),
  treeSize: Type.Optional(Type.Integer({ minimum: 1 })),
});

export const InclusionProof = Type.Object({
  index: Type.Integer(),
  treeSize: Type.Integer(),
  leafHash: Hex32,
  hashes: Type.Array(Hex32),
  checkpoint: Type.String({ description: 'the signed checkpoint (C2SP note) of treeSize' }),
});

export const Receipt = Type.Object({ eventId: Type.Integer(), ...InclusionProof.properties });

export const ConsistencyQuery = Query({
  first: Type.Integer({ minimum: 0 }),
  second: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const ConsistencyProof = Type.Object({
  first: Type.Integer(),
  second: Type.Integer(),
  hashes: Type.Array(Hex32),
});

export const CheckpointsQuery = Query({
  after: Type.Optional(Type.Integer({ minimum: -1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
});

export const CheckpointList = Type.Array(Type.Object({ size: Type.Integer(), note: Type.String() }));

export const LedgerKey = Type.Object({
  vkey: Type.String({ description: 'C2SP verifier key: name+keyid+base64(type‖key)' }),
  alg: Type.String(),
  purpose: Type.String({ description: 'log | witness' }),
  createdAt: Type.String({ format: 'date-time' }),
  retiredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const LedgerInfo = Type.Object({
  origin: Type.String(),
  hashAlg: Type.String(),
  size: Type.Integer(),
  root: Type.String(),
  lastEventId: Type.Integer(),
  checkpoint: Type.Union([Type.Object({ size: Type.Integer(), createdAt: Type.String() }), Type.Null()]),
  pendingEvents: Type.Integer(),
  keys: Type.Array(LedgerKey),
});

export const RotateKeyBody = Type.Object(
  { alg: Type.Union([Type.Literal('ed25519'), Type.Literal('sm2'), Type.Literal('cosig')]) },
  { additionalProperties: false },
);

export const WitnessLogBody = Type.Object(
  { vkey: Type.String({ minLength: 3, maxLength: 2000 }) },
  { additionalProperties: false },
);

/** Header names of receipts attached to governed data responses. */
export const RECEIPT_HEADERS = {
  /** `event=<id>` — the ledger event recording this response; its proof: GET /api/v1/ledger/receipts/<id>. */
  receipt: 'x-govhub-receipt',
  /** Hex SHA-256 of the response body as served. */
  bodyDigest: 'x-govhub-body-sha256',
} as const;
