import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { SYSTEM } from '../../src/identity/actor.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/merkle.js';
import {
  generateKey,
  parseCheckpointBody,
  parseNote,
  parseVkey,
  verifyNote,
  vkeyOf,
} from '../../src/ledger/note.js';
import { ledgerOptionsFromEnv } from '../../src/ledger/options.js';
import { SecretBox } from '../../src/platform/secrets.js';
import { describeProblem } from '../../src/ledger/verifier.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';

const H = (h: string) => Buffer.from(h, 'hex');

for (const kind of storageKinds()) {
  describe(`ledger on ${kind}`, () => {
    let ctx: TestContext;
    let ledger: LedgerService;
    let db: TestContext['services']['database']['db'];

    before(async () => {
      ctx = await createTestContext(kind);
      ledger = ctx.services.ledger;
      db = ctx.services.database.db;
    });
    after(() => ctx.close());

    async function append(n: number, personal = false): Promise<number[]> {
      // Concurrent writers, each in its own transaction, like the capabilities that call record().
      return Promise.all(
        Array.from({ length: n }, (_, i) =>
          db.transaction().execute((trx) =>
            ledger.record(trx, SYSTEM, {
              type: 'test.appended',
              subjectType: 'thing',
              subjectId: `t${i}`,
              data: { i, note: '测试' },
              ...(personal
                ? { personal: { name: `张三${i}`, idNumber: `51010019900101${String(i).padStart(4, '0')}` } }
                : {}),
            }),
          ),
        ),
      );
    }

    test('integrates committed events gap-free, signs checkpoints and proves inclusion and consistency', async () => {
      const ids = await append(40);
      // A rolled-back change leaves no entry.
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await ledger.record(trx, SYSTEM, { type: 'test.rolled_back' });
          throw new Error('abort');
        }),
      );
      await ledger.integrate();
      const first = await ledger.status();
      assert.equal(first.pendingEvents, 0);
      assert.ok(first.size >= 40);
      const cp1 = await ledger.checkpoint();
      const keys = (await ledger.keys()).filter((k) => k.purpose === 'log').map((k) => parseVkey(k.vkey));
      const body = verifyNote(cp1, keys).body;
      const c1 = parseCheckpointBody(body);
      assert.equal(c1.size, first.size);

      await append(25);
      await ledger.integrate();
      const c2 = parseCheckpointBody(parseNote(await ledger.checkpoint()).body);
      assert.equal(c2.size, c1.size + 25);

      // Every event has a receipt whose proof verifies against the signed root.
      for (const id of ids.slice(0, 10)) {
        const r = await ledger.receiptProof(id);
        assert.equal(r.treeSize, c2.size);
        assert.ok(verifyInclusion('sha256', r.index, r.treeSize, H(r.leafHash), r.hashes.map(H), c2.root));
      }
      // Inclusion by leaf hash against the older tree, and consistency between the two checkpoints.
      const byHash = await ledger.inclusionProof({
        leafHash: (await ledger.receipt(ids[3] as number))?.leafHash ?? '',
        treeSize: c1.size,
      });
      assert.ok(
        verifyInclusion('sha256', byHash.index, c1.size, H(byHash.leafHash), byHash.hashes.map(H), c1.root),
      );
      const cons = await ledger.consistencyProof(c1.size, c2.size);
      assert.ok(verifyConsistency('sha256', c1.size, c2.size, c1.root, c2.root, cons.hashes.map(H)));
      assert.ok(!verifyConsistency('sha256', c1.size, c2.size, c2.root, c2.root, cons.hashes.map(H)));

      const report = await ledger.verifyStore({
        keys: keys.map(
          (k) =>
            `${k.name}+${k.keyId.toString('hex')}+${Buffer.concat([Buffer.from([1]), k.publicKey]).toString('base64')}`,
        ),
      });
      assert.ok(report.ok, JSON.stringify(report.problem));
      assert.equal(report.size, c2.size);
      assert.ok(report.trustedKeys);
    });

    test('personal data: only its digest is in the leaf; erasing it keeps every proof valid', async () => {
      const [id] = await append(1, true);
      await ledger.integrate();
      const auditor = await ctx.newUser((await ctx.newOrg('auditor')).id, ['auditor']);
      const headers = await ctx.bearer(auditor.username);
      const before = await ctx.inject({
        method: 'GET',
        url: `/api/v1/ledger/events?type=test.appended&withProofs=true&limit=1000`,
        headers,
      });
      assert.equal(before.statusCode, 200, before.body);
      const ev = before
        .json<
          Array<{
            id: number;
            personal: { name: string } | null;
            personalDigest: string | null;
            ledger: { index: number; leafHash: string };
            proof: { treeSize: number; hashes: string[] };
          }>
        >()
        .find((e) => e.id === id);
      assert.ok(ev?.personal?.name.startsWith('张三'));
      const tile = await ctx.inject({
        method: 'GET',
        url: '/api/v1/ledger/log/tile/entries/000.p/1',
        headers,
      });
      assert.equal(tile.statusCode, 200);
      const secadmin = await ctx.newUser((await ctx.newOrg()).id, ['secadmin']);
      const erase = await ctx.inject({
        method: 'DELETE',
        url: `/api/v1/ledger/events/${id}/personal`,
        headers: await ctx.bearer(secadmin.username),
      });
      assert.equal(erase.statusCode, 200, erase.body);
      await ledger.integrate();
      const afterList = (
        await ctx.inject({
          method: 'GET',
          url: `/api/v1/ledger/events?type=test.appended&limit=1000`,
          headers,
        })
      ).json<
        Array<{ id: number; personal: unknown; personalDigest: string; ledger: { leafHash: string } }>
      >();
      const erased = afterList.find((e) => e.id === id);
      assert.equal(erased?.personal, null);
      assert.equal(erased?.personalDigest, ev?.personalDigest);
      assert.equal(erased?.ledger.leafHash, ev?.ledger.leafHash);
      const cp = parseCheckpointBody(parseNote(await ledger.checkpoint()).body);
      const proof = await ledger.receiptProof(id as number);
      assert.ok(
        verifyInclusion(
          'sha256',
          proof.index,
          proof.treeSize,
          H(proof.leafHash),
          proof.hashes.map(H),
          cp.root,
        ),
      );
      assert.ok((await ledger.verifyStore()).ok);
      // The erasure itself is on the ledger.
      const log = await ledger.list(SYSTEM, { type: 'ledger.personal_erased' }).catch(() => []);
      void log;
    });

    test('the database writes the same entry text as the writer hashed, awkward strings included', async () => {
      const awkward = 'a"b\\c\n\t\u0001\u001f\u007f\u2028\u2029é€😀/</script>';
      const id = await db.transaction().execute((trx) =>
        ledger.record(trx, SYSTEM, {
          type: `test.${awkward}`,
          subjectType: awkward,
          subjectId: awkward,
          orgId: null,
          requestId: awkward,
          data: { [awkward]: [awkward, 1e21, 1e-7, -0, 0.1, { b: 1, a: null }], nan: Number.NaN },
        }),
      );
      await ledger.integrate();
      const r = await ledger.verifyStore();
      assert.ok(r.ok, JSON.stringify(r.problem));
      assert.ok(await ledger.receipt(id));
    });

    test('events recorded before writers hashed their own entries are integrated and verified as before', async () => {
      // As migration 0009 leaves them: no leaf_hash, no data_jcs, time with microseconds.
      const legacy = await sql<{
        id: number;
      }>`insert into event (type, actor_kind, subject_id, data, occurred_at)
        values ('test.legacy', 'system', 'old', '{"b":1,"a":[1,{"d":null,"c":"x"}]}', now())
        returning id`.execute(db);
      const id = Number(legacy.rows[0]?.id);
      await ledger.integrate();
      assert.ok(await ledger.receipt(id), 'the legacy event is in the log');
      const r = await ledger.verifyStore();
      assert.ok(r.ok, JSON.stringify(r.problem));
    });

    test('signing keys are sealed at rest; a node with another secret cannot sign with them', async () => {
      const keys = await sql<{ private_key: Buffer | null; private_key_box: string | null }>`
        select private_key, private_key_box from ledger_key`.execute(db);
      assert.ok(keys.rows.length >= 2);
      for (const k of keys.rows) {
        assert.equal(k.private_key, null);
        assert.match(k.private_key_box ?? '', /^v1\./);
      }
      const other = new LedgerService({
        db,
        access: ctx.services.access,
        options: ledgerOptionsFromEnv({}),
        secrets: SecretBox.fromKeyMaterial('another node'),
      });
      await db.transaction().execute((trx) => ledger.record(trx, SYSTEM, { type: 'test.other_node' }));
      await assert.rejects(other.integrate(), /LEDGER_KEY_UNAVAILABLE|cannot be opened/);
      // The verifier needs public keys only.
      assert.ok((await other.verifyStore()).ok);
    });

    test('a key stored in clear (before sealing existed) is sealed on first use and still signs', async () => {
      const secrets = SecretBox.fromKeyMaterial('legacy node');
      const k = generateKey('ed25519');
      const name = (await ledger.status()).origin;
      const keyId = `${name}+legacy${Date.now()}`;
      await sql`update ledger_key set retired_at = now() where purpose = 'log' and retired_at is null`.execute(
        db,
      );
      await sql`insert into ledger_key (key_id, name, alg, purpose, public_key, private_key)
        values (${keyId}, ${name}, 'ed25519', 'log', ${k.publicKey}, ${k.privateKey})`.execute(db);
      const legacy = new LedgerService({
        db,
        access: ctx.services.access,
        options: ledgerOptionsFromEnv({}),
        secrets,
      });
      await db.transaction().execute((trx) => legacy.record(trx, SYSTEM, { type: 'test.legacy_key' }));
      await legacy.integrate();
      const row = (
        await sql<{ private_key: Buffer | null; private_key_box: string | null }>`
          select private_key, private_key_box from ledger_key where key_id = ${keyId}`.execute(db)
      ).rows[0];
      assert.equal(row?.private_key, null);
      assert.ok(Buffer.from(secrets.decrypt(row?.private_key_box as string), 'base64').equals(k.privateKey));
      const vkey = vkeyOf({ name, alg: 'ed25519', publicKey: k.publicKey });
      verifyNote((await legacy.checkpoints(-1, 100000)).pop()?.note as string, [parseVkey(vkey)]);
    });

    test(
      'an open transaction that recorded an event neither blocks other writers nor is skipped',
      {
        skip: kind === 'embedded' ? 'one connection: no concurrent transactions' : false,
      },
      async () => {
        let release = () => undefined as void;
        const held = new Promise<void>((r) => {
          release = r;
        });
        let longId = 0;
        const long = db.transaction().execute(async (trx) => {
          longId = await ledger.record(trx, SYSTEM, { type: 'test.long' });
          await held;
        });
        await new Promise((r) => setTimeout(r, 50));
        await ledger.integrate(); // gives up on the watermark after a bounded wait
        const t0 = Date.now();
        const [otherId] = await append(1);
        assert.ok(Date.now() - t0 < 1000, 'a new writer was not held up');
        await ledger.integrate();
        assert.equal(
          await ledger.receipt(otherId as number),
          undefined,
          'nothing past an open id is sequenced',
        );
        release();
        await long;
        await ledger.integrate();
        const a = await ledger.receipt(longId);
        const b = await ledger.receipt(otherId as number);
        assert.ok(a && b && a.index < b.index, 'sequenced in id order once committed');
      },
    );

    describe('tampering is detected and named', () => {
      const tampered = async (
        change: () => Promise<void>,
        undo: () => Promise<void>,
        expect: RegExp,
        opts: { threads?: number } = {},
      ) => {
        await sql`alter table event disable trigger event_no_update`.execute(db);
        await sql`alter table ledger_leaf disable trigger ledger_leaf_no_update`.execute(db);
        await sql`alter table ledger_checkpoint disable trigger ledger_checkpoint_no_update`.execute(db);
        try {
          await change();
          const r = await ledger.verifyStore(opts);
          assert.equal(r.ok, false, 'verify must fail');
          assert.match(describeProblem(r.problem as never), expect);
        } finally {
          await undo();
          await sql`alter table event enable trigger event_no_update`.execute(db);
          await sql`alter table ledger_leaf enable trigger ledger_leaf_no_update`.execute(db);
          await sql`alter table ledger_checkpoint enable trigger ledger_checkpoint_no_update`.execute(db);
        }
        assert.ok((await ledger.verifyStore()).ok, 'verify passes again once undone');
      };
      const leafAt = async (seq: number) =>
        (await sql<{ event_id: number }>`select event_id from ledger_leaf where seq = ${seq}`.execute(db))
          .rows[0]?.event_id as number;

      test('a changed entry', async () => {
        const id = await leafAt(7);
        const row = (await sql<{ data: unknown }>`select data from event where id = ${id}`.execute(db))
          .rows[0];
        await tampered(
          () => sql`update event set data = '{"i":999}' where id = ${id}`.execute(db).then(() => undefined),
          () =>
            sql`update event set data = ${JSON.stringify(row?.data)}::jsonb where id = ${id}`
              .execute(db)
              .then(() => undefined),
          new RegExp(`entry 7 \\(event ${id}\\)`),
        );
      });

      test('a changed entry column, with entries hashed in a worker thread', async () => {
        const id = await leafAt(9);
        const row = (
          await sql<{ subject_id: string | null }>`select subject_id from event where id = ${id}`.execute(db)
        ).rows[0];
        const whole = await ledger.verifyStore({ threads: 1 });
        assert.ok(whole.ok, JSON.stringify(whole.problem));
        assert.equal(whole.root, (await ledger.verifyStore({ threads: 0 })).root);
        await tampered(
          () =>
            sql`update event set subject_id = 'forged' where id = ${id}`.execute(db).then(() => undefined),
          () =>
            sql`update event set subject_id = ${row?.subject_id ?? null} where id = ${id}`
              .execute(db)
              .then(() => undefined),
          new RegExp(`entry 9 \\(event ${id}\\): content does not match`),
          { threads: 1 },
        );
      });

      test('a deleted entry', async () => {
        const id = await leafAt(12);
        // A plain table (not a temp one): the pool may run the undo on another connection.
        await sql`create table deleted_event as select * from event where id = ${id}`.execute(db);
        await tampered(
          () => sql`delete from event where id = ${id}`.execute(db).then(() => undefined),
          async () => {
            await sql`insert into event select * from deleted_event`.execute(db);
            await sql`drop table deleted_event`.execute(db);
          },
          new RegExp(`entry 12 \\(event ${id}\\): event ${id} is missing`),
        );
      });

      test('an inserted entry', async () => {
        const id = await leafAt(3);
        await tampered(
          async () => {
            await sql`insert into event (id, type, actor_kind, data) values (${id + 100000}, 'forged', 'system', '{}')`.execute(
              db,
            );
            await sql`update ledger_state set last_event_id = ${id + 100000}`.execute(db);
          },
          async () => {
            await sql`delete from event where id = ${id + 100000}`.execute(db);
            await sql`update ledger_state set last_event_id = (select max(event_id) from ledger_leaf)`.execute(
              db,
            );
          },
          new RegExp(`event ${id + 100000} is not in the log`),
        );
      });

      test('reordered entries', async () => {
        const a = await leafAt(20);
        const b = await leafAt(21);
        const swap = async (x: number, y: number) => {
          await sql`update ledger_leaf set event_id = -1 where event_id = ${x}`.execute(db);
          await sql`update ledger_leaf set event_id = ${x} where event_id = ${y}`.execute(db);
          await sql`update ledger_leaf set event_id = ${y} where event_id = -1`.execute(db);
        };
        await tampered(
          () => swap(a, b),
          () => swap(b, a),
          /entry 20 \(event \d+\)/,
        );
      });

      test('a changed leaf hash and tree node', async () => {
        const tile = (
          await sql<{ hashes: Buffer }>`select hashes from ledger_tile where level = 0 and idx = 0`.execute(
            db,
          )
        ).rows[0]?.hashes as Buffer;
        const bad = Buffer.from(tile);
        bad[5 * 32] = (bad[5 * 32] as number) ^ 0xff;
        await tampered(
          () =>
            sql`update ledger_tile set hashes = ${bad} where level = 0 and idx = 0`
              .execute(db)
              .then(() => undefined),
          () =>
            sql`update ledger_tile set hashes = ${tile} where level = 0 and idx = 0`
              .execute(db)
              .then(() => undefined),
          /entry 5: stored tree node differs/,
        );
      });

      test('a forged checkpoint', async () => {
        const cp = (
          await sql<{
            size: number;
            note: string;
          }>`select size, note from ledger_checkpoint order by size limit 1`.execute(db)
        ).rows[0] as { size: number; note: string };
        const root = parseCheckpointBody(parseNote(cp.note).body).root.toString('base64');
        const forged = cp.note.replace(root, Buffer.alloc(32, 9).toString('base64'));
        await tampered(
          () =>
            sql`update ledger_checkpoint set note = ${forged} where size = ${cp.size}`
              .execute(db)
              .then(() => undefined),
          () =>
            sql`update ledger_checkpoint set note = ${cp.note} where size = ${cp.size}`
              .execute(db)
              .then(() => undefined),
          new RegExp(`checkpoint ${cp.size}: bad signature`),
        );
      });
    });
  });
}
