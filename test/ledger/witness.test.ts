import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/identity/actor.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { verifyInclusion } from '../../src/ledger/merkle.js';
import { parseCheckpointBody, parseNote, parseVkey, verifyNote } from '../../src/ledger/note.js';
import { ledgerOptionsFromEnv } from '../../src/ledger/options.js';
import type { Database } from '../../src/platform/db/database.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { openTestDatabase } from '../support/db.js';

/**
 * A 国密 log (SM3 tree, SM2 + Ed25519 checkpoint signatures) whose checkpoints another node witnesses
 * over HTTP (C2SP tlog-witness / tlog-cosignature); verifiers can demand k cosignatures.
 */
describe('SM3/SM2 log cosigned by a witness node', () => {
  let witness: TestContext;
  let witnessUrl: string;
  let database: Database;
  let log: LedgerService;

  before(async () => {
    witness = await createTestContext('embedded');
    witnessUrl = await witness.app.listen({ port: 0, host: '127.0.0.1' });
    database = await openTestDatabase('embedded');
    const wkey = (await witness.services.ledger.keys()).find((k) => k.purpose === 'witness')?.vkey as string;
    log = new LedgerService({
      db: database.db,
      access: witness.services.access,
      options: {
        ...ledgerOptionsFromEnv({
          GOVHUB_LEDGER_HASH: 'sm3',
          GOVHUB_LEDGER_SIGN: 'ed25519+sm2',
          GOVHUB_LEDGER_ORIGIN: 'cd.gov.example/ledger',
        }),
        witnesses: [{ url: `${witnessUrl}/api/v1/ledger/witness/add-checkpoint`, vkey: wkey }],
      },
    });
  });
  after(async () => {
    await witness.close();
    await database.close();
  });

  test('checkpoints carry Ed25519 and SM2 signatures and a witness cosignature; quorum is enforced', async () => {
    const keys = await log.keys();
    assert.deepEqual(
      keys
        .filter((k) => k.purpose === 'log')
        .map((k) => k.alg)
        .sort(),
      ['ed25519', 'sm2'],
    );
    const logVkey = keys.find((k) => k.alg === 'ed25519')?.vkey as string;
    await witness.services.ledger.addWitnessedLog(SYSTEM, logVkey);
    const wVkey = (await witness.services.ledger.keys()).find((k) => k.purpose === 'witness')?.vkey as string;

    for (let round = 0; round < 3; round++) {
      await database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 10; i++) {
          await log.record(trx, SYSTEM, { type: 'test.gm', data: { round, i } });
        }
      });
      await log.integrate();
    }
    const note = await log.checkpoint();
    const signers = verifyNote(note, [...keys.map((k) => parseVkey(k.vkey)), parseVkey(wVkey)]).signedBy;
    assert.deepEqual(signers.map((s) => s.alg).sort(), ['cosig', 'ed25519', 'sm2']);
    // The tree is SM3: a receipt verifies with SM3 and not with SHA-256.
    const cp = parseCheckpointBody(parseNote(note).body);
    const r = await log.inclusionProof({ index: 17 });
    const hashes = r.hashes.map((h) => Buffer.from(h, 'hex'));
    assert.ok(verifyInclusion('sm3', 17, cp.size, Buffer.from(r.leafHash, 'hex'), hashes, cp.root));
    assert.ok(!verifyInclusion('sha256', 17, cp.size, Buffer.from(r.leafHash, 'hex'), hashes, cp.root));

    const ok = await log.verifyStore({ keys: [logVkey], witnessKeys: [wVkey], quorum: 1 });
    assert.ok(ok.ok, JSON.stringify(ok.problem));
    const short = await log.verifyStore({ keys: [logVkey], witnessKeys: [wVkey], quorum: 2 });
    assert.equal(short.ok, false);
    assert.match(JSON.stringify(short.problem), /1 witness cosignatures, 2 required/);

    // The witness refuses what it must refuse.
    const stale = await witness.services.ledger.addCheckpoint(`old 0\n\n${note}`);
    assert.equal(stale.status, 409);
    assert.equal(stale.body.trim(), String(cp.size));
    const forged = note.replace(`\n${cp.size}\n`, `\n${cp.size + 1}\n`);
    assert.equal((await witness.services.ledger.addCheckpoint(`old ${cp.size}\n\n${forged}`)).status, 403);
    const unknown = await witness.inject({
      method: 'POST',
      url: '/api/v1/ledger/witness/add-checkpoint',
      headers: { 'content-type': 'text/plain' },
      payload: `old 0\n\n${note.replace('cd.gov.example/ledger\n', 'other.example/log\n')}`,
    });
    assert.equal(unknown.statusCode, 404);
  });
});
