import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  checkpointBody,
  generateKey,
  makeSigner,
  makeVerifier,
  parseCheckpointBody,
  parseVkey,
  SM2_ID,
  signNote,
  verifyNote,
  vkeyOf,
} from '../../src/ledger/note.js';

describe('C2SP signed notes and checkpoints', () => {
  test('parses the specification example verifier key and checks its key ID', () => {
    const v = parseVkey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    assert.equal(v.alg, 'ed25519');
    assert.equal(v.keyId.toString('hex'), '530d903a');
    assert.throws(() => parseVkey('example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'));
  });

  test('checkpoint bodies are exact and strict', () => {
    const body = checkpointBody({ origin: 'gov.example/log', size: 42, root: Buffer.alloc(32, 7) });
    assert.equal(body, `gov.example/log\n42\n${Buffer.alloc(32, 7).toString('base64')}\n`);
    assert.deepEqual(parseCheckpointBody(body).size, 42);
    assert.throws(() => parseCheckpointBody(body.replace('\n42\n', '\n042\n')));
    assert.throws(() => parseCheckpointBody(body.replace('\n42\n', '\n9007199254740993\n')));
  });

  test('Ed25519, SM2 and cosignature lines sign and verify; a changed body or signature is rejected', () => {
    const ed = makeSigner('gov.example/log', generateKey('ed25519'));
    const sm = makeSigner('gov.example/log', generateKey('sm2'));
    const body = checkpointBody({ origin: 'gov.example/log', size: 3, root: Buffer.alloc(32, 1) });
    const note = signNote(body, [ed, sm]);
    assert.match(note, /\n\n\u2014 gov\.example\/log \S+\n\u2014 gov\.example\/log \S+\n$/);
    const vEd = parseVkey(vkeyOf(ed));
    const vSm = parseVkey(vkeyOf(sm));
    assert.equal(vSm.alg, 'sm2');
    assert.equal(verifyNote(note, [vEd, vSm]).signedBy.length, 2);
    assert.throws(() => verifyNote(note.replace('\n3\n', '\n4\n'), [vEd]), /bad signature/);
    assert.throws(
      () => verifyNote(note, [parseVkey(vkeyOf(makeSigner('other', generateKey('ed25519'))))]),
      /no signature/,
    );
    const w = makeSigner('witness.example', generateKey('cosig'));
    const cos = signNote(body, [w]);
    const line = cos.slice(cos.lastIndexOf('\u2014'));
    assert.equal(line.trim().split(' ')[2]?.length, 104); // 4 + 8 + 64 bytes in base64
    assert.equal(
      verifyNote(note + line, [vEd, makeVerifier(w.name, 'cosig', w.publicKey)]).signedBy.length,
      2,
    );
  });

  test('SM2 signatures are GB/T 32918 (OpenSSL verifies them with the SM2 distinguishing ID)', (t) => {
    try {
      execFileSync('openssl', ['version']);
    } catch {
      t.skip('openssl not installed');
      return;
    }
    const k = generateKey('sm2');
    const s = makeSigner('n', k);
    const msg = Buffer.from('govhub checkpoint\n1\nAAAA\n');
    const sig = s.sign(msg);
    // r ‖ s → DER for OpenSSL
    const int = (b: Buffer) => {
      let x = b;
      while (x.length > 1 && x[0] === 0 && ((x[1] as number) & 0x80) === 0) {
        x = x.subarray(1);
      }
      if (((x[0] as number) & 0x80) !== 0) {
        x = Buffer.concat([Buffer.from([0]), x]);
      }
      return Buffer.concat([Buffer.from([2, x.length]), x]);
    };
    const seq = Buffer.concat([int(sig.subarray(0, 32)), int(sig.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, seq.length]), seq]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm2-'));
    const spki = Buffer.concat([
      Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex'),
      k.publicKey,
    ]);
    fs.writeFileSync(
      path.join(dir, 'pub.pem'),
      `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`,
    );
    fs.writeFileSync(path.join(dir, 'msg'), msg);
    fs.writeFileSync(path.join(dir, 'sig'), der);
    const verify = () =>
      execFileSync('openssl', [
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        path.join(dir, 'pub.pem'),
        '-rawin',
        '-digest',
        'sm3',
        '-in',
        path.join(dir, 'msg'),
        '-sigfile',
        path.join(dir, 'sig'),
        '-pkeyopt',
        `distid:${SM2_ID}`,
      ]).toString();
    assert.match(verify(), /Verified Successfully/);
    fs.writeFileSync(path.join(dir, 'msg'), Buffer.concat([msg, Buffer.from('x')]));
    assert.throws(verify);
    fs.rmSync(dir, { recursive: true });
  });
});
