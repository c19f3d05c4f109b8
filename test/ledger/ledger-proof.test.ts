import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  checkConsistency,
  checkInclusion,
  type HashAlg,
  type LedgerEventLike,
  parseReceipt,
  type PublishedKey,
} from '../../src/contracts/ledger-proof.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { createTestContext, type TestContext } from '../support/app.js';

/**
 * The browser-side proof checker (src/contracts/ledger-proof.ts, used by the console's ledger pages)
 * against proofs a real ledger serves over HTTP: SHA-256/Ed25519 and SM3/Ed25519+SM2 logs, erased
 * personal data, tampered entries, proofs, roots and signatures.
 */
type Json = Record<string, unknown>;
interface Proof {
  index: number;
  treeSize: number;
  leafHash: string;
  hashes: string[];
  checkpoint: string;
}
interface Ev extends LedgerEventLike {
  personal?: Json | null;
  ledger: { index: number; leafHash: string } | null;
}

const flip = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);

for (const variant of [
  { name: 'SHA-256 / Ed25519', env: {} },
  { name: 'SM3 / Ed25519 + SM2', env: { GOVHUB_LEDGER_HASH: 'sm3', GOVHUB_LEDGER_SIGN: 'ed25519+sm2' } },
]) {
  describe(`in-browser ledger proof check, ${variant.name} log`, () => {
    let ctx: TestContext;
    let headers: Record<string, string>;
    let alg: HashAlg;
    let origin: string;
    let keys: PublishedKey[];
    const saved: Record<string, string | undefined> = {};

    const get = async <T = Json>(url: string, auth = false): Promise<T> => {
      const res = await ctx.inject({ method: 'GET', url, ...(auth ? { headers } : {}) });
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      return (String(res.headers['content-type']).startsWith('text/plain') ? res.body : res.json()) as T;
    };

    before(async () => {
      for (const [k, v] of Object.entries(variant.env)) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
      ctx = await createTestContext('embedded');
      const auditor = await ctx.newUser((await ctx.newOrg('auditor')).id, ['auditor']);
      headers = await ctx.bearer(auditor.username);
      const db = ctx.services.database.db;
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < 37; i++) {
          await ctx.services.ledger.record(trx, SYSTEM, {
            type: 'test.proof',
            subjectType: 'thing',
            subjectId: `t${i}`,
            data: {
              i,
              note: '测试 "quoted" ✓',
              nested: { b: 2, a: [1, 0.5, -0] },
              responseDigest: 'ab'.repeat(32),
            },
            ...(i % 5 === 0 ? { personal: { name: `张三${i}`, idNumber: `5101001990010100${i}` } } : {}),
          });
        }
      });
      await ctx.services.ledger.integrate();
      const info = await get<{ hashAlg: HashAlg; origin: string }>('/api/v1/ledger');
      alg = info.hashAlg;
      origin = info.origin;
      keys = await get<PublishedKey[]>('/api/v1/ledger/keys');
    });
    after(async () => {
      await ctx.close();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) {
          delete process.env[k];
        } else {
          process.env[k] = v;
        }
      }
    });

    test('every listed event verifies against the latest signed checkpoint; tampering fails at the right step', async () => {
      assert.equal(alg, variant.env.GOVHUB_LEDGER_HASH ?? 'sha256');
      const note = await get<string>('/api/v1/ledger/log/checkpoint');
      const size = Number(note.split('\n')[1]);
      const events = await get<Ev[]>('/api/v1/ledger/events?type=test.proof&limit=100', true);
      assert.equal(events.length, 37);
      for (const e of events) {
        assert.ok(e.ledger);
        const p = await get<Proof>(
          `/api/v1/ledger/proofs/inclusion?index=${e.ledger.index}&treeSize=${size}`,
        );
        const r = await checkInclusion({
          alg,
          origin,
          keys,
          checkpoint: note,
          event: e,
          leafHash: e.ledger.leafHash,
          index: p.index,
          treeSize: p.treeSize,
          hashes: p.hashes,
        });
        assert.ok(r.ok, `event ${e.id}: ${JSON.stringify(r.failed)}`);
        assert.deepEqual(
          r.steps.map((s) => s.step),
          ['keys', 'signature', 'checkpoint', 'leaf', 'proof', 'root'],
        );
      }
      if (variant.env.GOVHUB_LEDGER_SIGN) {
        const r = await checkInclusion({ alg, keys, checkpoint: note, index: 0, treeSize: size, hashes: [] });
        const sig = r.steps.find((s) => s.step === 'signature');
        assert.match(sig?.detail ?? '', /ed25519/);
        assert.match(sig?.detail ?? '', /sm2/);
      }

      const e = events[7] as Ev;
      const ref = e.ledger as { index: number; leafHash: string };
      const p = await get<Proof>(`/api/v1/ledger/proofs/inclusion?index=${ref.index}&treeSize=${size}`);
      const base = {
        alg,
        origin,
        keys,
        checkpoint: note,
        event: e,
        leafHash: ref.leafHash,
        index: p.index,
        treeSize: p.treeSize,
        hashes: p.hashes,
      };
      const failsAt = async (over: Partial<typeof base> & { bodyDigest?: string }, step: string) => {
        const r = await checkInclusion({ ...base, ...over });
        assert.equal(r.ok, false, `expected failure at ${step}`);
        assert.equal(r.failed?.step, step, JSON.stringify(r.failed));
      };
      // An entry edited after the fact no longer hashes to the logged leaf.
      await failsAt({ event: { ...e, data: { ...e.data, i: 999 } } }, 'leaf');
      await failsAt({ event: { ...e, actor: { kind: 'user', id: 'someone-else' } } }, 'leaf');
      // A tampered proof hash, a dropped hash, or the proof of another leaf leads elsewhere.
      await failsAt({ hashes: [flip(p.hashes[0] as string), ...p.hashes.slice(1)] }, 'root');
      await failsAt({ hashes: p.hashes.slice(1) }, 'proof');
      await failsAt({ index: ref.index + 1 }, 'root');
      // The right proof checked against a wrong root (an unsigned or forged checkpoint body).
      const lines = note.split('\n');
      const forgedRoot = Buffer.from(
        Buffer.from(lines[2] as string, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b)),
      );
      const forged = [lines[0], lines[1], forgedRoot.toString('base64'), ...lines.slice(3)].join('\n');
      await failsAt({ checkpoint: forged }, 'signature');
      // A checkpoint signed by nobody we know, and one with a bad signature by a known key.
      await failsAt({ keys: keys.map((k) => ({ ...k, purpose: 'witness' })) }, 'keys');
      const sigLine = lines.findIndex((l) => l.startsWith('\u2014'));
      const raw = Buffer.from((lines[sigLine] as string).split(' ')[2] as string, 'base64');
      raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
      const badSig = [...lines];
      badSig[sigLine] =
        `${(lines[sigLine] as string).split(' ').slice(0, 2).join(' ')} ${raw.toString('base64')}`;
      await failsAt({ checkpoint: badSig.join('\n') }, 'signature');
      // A wrong log origin, and a checkpoint of another size than the proof's.
      await failsAt({ origin: 'elsewhere.example/ledger' }, 'checkpoint');
      await failsAt({ treeSize: size - 1 }, 'checkpoint');
      // The body digest of a data response must be the one recorded in the event.
      assert.ok((await checkInclusion({ ...base, bodyDigest: 'ab'.repeat(32) })).ok);
      await failsAt({ bodyDigest: 'cd'.repeat(32) }, 'digest');
    });

    test('a pasted receipt verifies, also after the personal data of its event is erased', async () => {
      const events = await get<Ev[]>('/api/v1/ledger/events?type=test.proof&limit=100', true);
      const withPersonal = events.find((e) => e.personalDigest) as Ev;
      assert.ok(withPersonal);
      await ctx.services.ledger.erasePersonal(SYSTEM, withPersonal.id);
      await ctx.services.ledger.integrate();
      const id = parseReceipt(`x-govhub-receipt: event=${withPersonal.id}`)?.eventId;
      assert.equal(id, withPersonal.id);
      assert.deepEqual(parseReceipt(String(withPersonal.id)), { eventId: withPersonal.id });
      assert.deepEqual(
        parseReceipt(`x-govhub-receipt: event=12\nx-govhub-body-sha256: ${'AB'.repeat(32)}\n`),
        { eventId: 12, bodyDigest: 'ab'.repeat(32) },
      );
      assert.deepEqual(
        parseReceipt(
          `{"_trailer":{"receipt":"event=7","bodySha256":"${'cd'.repeat(32)}","rows":3,"stopped":null}}`,
        ),
        { eventId: 7, bodyDigest: 'cd'.repeat(32) },
      );
      assert.equal(parseReceipt('nonsense'), undefined);
      const receipt = await get<Proof & { eventId: number }>(`/api/v1/ledger/receipts/${id}`);
      const [event] = await get<Ev[]>(`/api/v1/ledger/events?afterId=${(id as number) - 1}&limit=1`, true);
      assert.equal(event?.id, id);
      assert.equal(event?.personal, null);
      const r = await checkInclusion({
        alg,
        origin,
        keys,
        checkpoint: receipt.checkpoint,
        event,
        leafHash: receipt.leafHash,
        index: receipt.index,
        treeSize: receipt.treeSize,
        hashes: receipt.hashes,
      });
      assert.ok(r.ok, JSON.stringify(r.failed));
      // The receipt of one event does not prove another event.
      const other = events.find((e) => e.id !== id) as Ev;
      const wrong = await checkInclusion({
        alg,
        origin,
        keys,
        checkpoint: receipt.checkpoint,
        event: other,
        leafHash: receipt.leafHash,
        index: receipt.index,
        treeSize: receipt.treeSize,
        hashes: receipt.hashes,
      });
      assert.equal(wrong.failed?.step, 'leaf');
    });

    test('consistency between two signed checkpoints verifies; a wrong pair or hash fails', async () => {
      const db = ctx.services.database.db;
      await db.transaction().execute((trx) => ctx.services.ledger.record(trx, SYSTEM, { type: 'test.more' }));
      await ctx.services.ledger.integrate();
      const cps = await get<Array<{ size: number; note: string }>>('/api/v1/ledger/checkpoints');
      assert.ok(cps.length >= 2);
      const older = cps[0] as { size: number; note: string };
      const newer = cps[cps.length - 1] as { size: number; note: string };
      assert.ok(newer.size > older.size);
      const proof = await get<{ hashes: string[] }>(
        `/api/v1/ledger/proofs/consistency?first=${older.size}&second=${newer.size}`,
      );
      const base = { alg, origin, keys, older: older.note, newer: newer.note, hashes: proof.hashes };
      const ok = await checkConsistency(base);
      assert.ok(ok.ok, JSON.stringify(ok.failed));
      const tampered = await checkConsistency({
        ...base,
        hashes: proof.hashes.map((h, i) => (i === proof.hashes.length - 1 ? flip(h) : h)),
      });
      assert.equal(tampered.failed?.step, 'consistency');
      const middle = cps[Math.floor(cps.length / 2)] as { size: number; note: string };
      if (middle.size !== older.size && middle.size !== newer.size) {
        const swapped = await checkConsistency({ ...base, older: middle.note });
        assert.equal(swapped.failed?.step, 'consistency');
      }
    });
  });
}
