import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import {
  CheckpointList,
  CheckpointsQuery,
  ConsistencyProof,
  ConsistencyQuery,
  Event,
  EventIdParams,
  EventQuery,
  InclusionProof,
  InclusionQuery,
  LedgerInfo,
  LedgerKey,
  Receipt,
  RotateKeyBody,
  WitnessLogBody,
} from '../contracts/ledger.js';
import { SECURED } from '../identity/auth.hooks.js';
import { NotFoundError } from '../platform/errors.js';
import type { LedgerService } from './ledger.service.js';
import { parseTilePath } from './merkle.js';

const E = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, { $ref: 'ErrorEnvelope#' }]));
const Text = Type.String();
const Bytes = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' });

/**
 * The ledger over HTTP: the auditor's event view, C2SP tlog-tiles (`/ledger/log/checkpoint`,
 * `/ledger/log/tile/...`), proofs, receipts, keys and the tlog-witness `add-checkpoint` endpoint.
 */
export function ledgerRoutes(deps: { ledger: LedgerService }) {
  const { ledger } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/ledger/events',
      {
        schema: {
          tags: ['ledger'],
          summary: '审计事件及其证明 / audit events with proofs (auditor)',
          security: SECURED,
          querystring: EventQuery,
          response: { 200: Type.Array(Event), ...E(400, 401, 403) },
        },
      },
      (req) => {
        const q = req.query;
        return ledger.list(req.actor, {
          afterId: q.afterId,
          type: q.type,
          subjectType: q.subjectType,
          subjectId: q.subjectId,
          orgId: q.orgId,
          actorId: q.actorId,
          grantId: q.grantId,
          since: q.since ? new Date(q.since) : undefined,
          until: q.until ? new Date(q.until) : undefined,
          ...(q.limit ? { limit: q.limit } : {}),
          ...(q.withProofs ? { withProofs: true } : {}),
        });
      },
    );

    app.delete(
      '/ledger/events/:id/personal',
      {
        schema: {
          tags: ['ledger'],
          summary: '擦除事件中的个人信息（证明仍然有效）/ erase an event’s personal data (proofs stay valid)',
          security: SECURED,
          params: EventIdParams,
          response: {
            200: Type.Object({ eventId: Type.Integer(), erased: Type.Boolean() }),
            ...E(401, 403, 404),
          },
        },
      },
      (req) => ledger.erasePersonal(req.actor, req.params.id),
    );

    app.get(
      '/ledger',
      {
        schema: {
          tags: ['ledger'],
          summary: '账本状态与公钥 / log status and public keys',
          response: { 200: LedgerInfo },
        },
      },
      async () => ({ ...(await ledger.status()), keys: await ledger.keys() }),
    );

    app.get(
      '/ledger/log/checkpoint',
      {
        schema: {
          tags: ['ledger'],
          summary: '最新检查点（C2SP tlog-checkpoint 签名文本）/ latest checkpoint (signed note)',
          produces: ['text/plain'],
          response: { 200: Text, ...E(404) },
        },
      },
      async (_req, reply) => {
        const note = await ledger.checkpoint();
        return reply
          .header('content-type', 'text/plain; charset=utf-8')
          .header('cache-control', 'no-cache, max-age=1')
          .send(note);
      },
    );

    app.get(
      '/ledger/log/tile/entries/*',
      {
        schema: {
          tags: ['ledger'],
          summary: '条目包（C2SP tlog-tiles）/ entry bundle (auditor)',
          security: SECURED,
          produces: ['application/octet-stream'],
          response: { 200: Bytes, ...E(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const rest = (req.params as Record<string, string>)['*'] ?? '';
        const t = parseTilePath(`tile/entries/${rest}`);
        if (!t) {
          throw new NotFoundError('LEDGER_TILE_NOT_FOUND', 'error.ledger.tileNotFound', {
            params: { tile: rest },
          });
        }
        const body = await ledger.tile(req.actor, -1, t.index, t.width);
        return sendTile(reply, body, t.width);
      },
    );

    app.get(
      '/ledger/log/tile/:level/*',
      {
        schema: {
          tags: ['ledger'],
          summary: '哈希瓦片（C2SP tlog-tiles）/ hash tile',
          produces: ['application/octet-stream'],
          response: { 200: Bytes, ...E(404) },
        },
      },
      async (req, reply) => {
        const p = req.params as Record<string, string>;
        const rest = p['*'] ?? '';
        const t = parseTilePath(`tile/${p.level ?? ''}/${rest}`);
        if (!t) {
          throw new NotFoundError('LEDGER_TILE_NOT_FOUND', 'error.ledger.tileNotFound', {
            params: { tile: rest },
          });
        }
        const body = await ledger.tile(req.actor, t.level, t.index, t.width);
        return sendTile(reply, body, t.width);
      },
    );

    app.get(
      '/ledger/checkpoints',
      {
        schema: {
          tags: ['ledger'],
          summary: '历史检查点 / signed checkpoints after a size, oldest first',
          querystring: CheckpointsQuery,
          response: { 200: CheckpointList, ...E(400) },
        },
      },
      (req) => ledger.checkpoints(req.query.after ?? -1, req.query.limit ?? 1000),
    );

    app.get(
      '/ledger/keys',
      {
        schema: {
          tags: ['ledger'],
          summary: '签名公钥 / verifier keys',
          response: { 200: Type.Array(LedgerKey) },
        },
      },
      () => ledger.keys(),
    );

    app.post(
      '/ledger/keys/rotate',
      {
        schema: {
          tags: ['ledger'],
          summary: '轮换签名密钥 / rotate a signing key (secadmin)',
          security: SECURED,
          body: RotateKeyBody,
          response: { 200: LedgerKey, ...E(400, 401, 403) },
        },
      },
      (req) => ledger.rotateKey(req.actor, req.body),
    );

    app.get(
      '/ledger/proofs/inclusion',
      {
        schema: {
          tags: ['ledger'],
          summary: '包含证明（按序号或叶哈希）/ inclusion proof by index or leaf hash',
          querystring: InclusionQuery,
          response: { 200: InclusionProof, ...E(400, 404) },
        },
      },
      (req) => ledger.inclusionProof(req.query),
    );

    app.get(
      '/ledger/proofs/consistency',
      {
        schema: {
          tags: ['ledger'],
          summary: '一致性证明 / consistency proof between two tree sizes',
          querystring: ConsistencyQuery,
          response: { 200: ConsistencyProof, ...E(400, 404) },
        },
      },
      (req) => ledger.consistencyProof(req.query.first, req.query.second),
    );

    app.get(
      '/ledger/receipts/:id',
      {
        schema: {
          tags: ['ledger'],
          summary: '回执：事件的包含证明 / receipt: an event’s inclusion proof against the latest checkpoint',
          params: EventIdParams,
          response: { 200: Receipt, ...E(404) },
        },
      },
      (req) => ledger.receiptProof(req.params.id),
    );

    app.post(
      '/ledger/witness/logs',
      {
        schema: {
          tags: ['ledger'],
          summary: '见证另一节点的账本 / start witnessing another log (secadmin)',
          security: SECURED,
          body: WitnessLogBody,
          response: { 200: Type.Object({ origin: Type.String() }), ...E(400, 401, 403) },
        },
      },
      (req) => ledger.addWitnessedLog(req.actor, req.body.vkey),
    );

    app.post(
      '/ledger/witness/add-checkpoint',
      {
        schema: {
          tags: ['ledger'],
          summary: '见证者：联署检查点（C2SP tlog-witness）/ witness: cosign a checkpoint',
          consumes: ['text/plain'],
          body: Type.String({ maxLength: 100_000 }),
          response: { 200: Text, 400: Text, 403: Text, 404: Text, 409: Text, 422: Text },
        },
      },
      async (req, reply) => {
        const r = await ledger.addCheckpoint(req.body);
        return reply
          .code(r.status as 200)
          .header('content-type', r.contentType ?? 'text/plain; charset=utf-8')
          .send(r.body);
      },
    );
  };
}

function sendTile(reply: FastifyReply, body: Buffer, width: number) {
  return reply
    .header('content-type', 'application/octet-stream')
    .header('cache-control', width === 256 ? 'public, max-age=31536000, immutable' : 'no-cache, max-age=1')
    .send(body);
}
