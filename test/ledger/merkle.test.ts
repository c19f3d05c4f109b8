import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalize } from '../../src/ledger/canonical-json.js';
import {
  consistencyRanges,
  decodeBundle,
  encodeBundle,
  type HashAlg,
  inclusionRanges,
  leafHash,
  parseTilePath,
  rangeHash,
  rootOfLeafHashes,
  TileBuilder,
  tileIndexPath,
  tilePath,
  verifyConsistency,
  verifyInclusion,
} from '../../src/ledger/merkle.js';

const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const A: HashAlg = 'sha256';
const leafHashes = LEAVES.map((l) => leafHash(A, l));
const H = (s: string) => Buffer.from(s, 'hex');

/** Proof hashes from ranges, computed with the reference MTH over the leaves (no tiles involved). */
function proofFrom(ranges: Array<[number, number]>, leaves: Buffer[]): Buffer[] {
  return ranges.map(([lo, hi]) => rootOfLeafHashes(A, leaves.slice(lo, hi)));
}

function treeOf(n: number, alg: HashAlg = A): Buffer[] {
  return Array.from({ length: n }, (_, i) => leafHash(alg, Buffer.from(`entry ${i}`)));
}

describe('RFC 6962 / 9162 Merkle math', () => {
  test('roots of the CT test vectors, sizes 0–8', () => {
    for (let n = 0; n <= 8; n++) {
      assert.equal(rootOfLeafHashes(A, leafHashes.slice(0, n)).toString('hex'), ROOTS[n], `size ${n}`);
    }
  });

  test('inclusion proofs of the CT vectors', () => {
    const cases: Array<[number, number, string[]]> = [
      [
        0,
        8,
        [
          '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
        ],
      ],
      [
        5,
        8,
        [
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
          'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
          'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        ],
      ],
      [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
      [
        1,
        5,
        [
          '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        ],
      ],
    ];
    for (const [m, n, expected] of cases) {
      const proof = proofFrom(inclusionRanges(m, n), leafHashes.slice(0, n));
      assert.deepEqual(
        proof.map((p) => p.toString('hex')),
        expected,
        `leaf ${m} of ${n}`,
      );
      assert.ok(verifyInclusion(A, m, n, leafHashes[m] as Buffer, proof, H(ROOTS[n] as string)));
    }
  });

  test('consistency proofs of the CT vectors', () => {
    const cases: Array<[number, number, string[]]> = [
      [
        1,
        8,
        [
          '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
        ],
      ],
      [
        6,
        8,
        [
          '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
          'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
          'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        ],
      ],
      [
        2,
        5,
        [
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        ],
      ],
    ];
    for (const [m, n, expected] of cases) {
      const proof = proofFrom(consistencyRanges(m, n), leafHashes.slice(0, n));
      assert.deepEqual(
        proof.map((p) => p.toString('hex')),
        expected,
        `${m} → ${n}`,
      );
      assert.ok(verifyConsistency(A, m, n, H(ROOTS[m] as string), H(ROOTS[n] as string), proof));
    }
  });

  test('every inclusion and consistency proof on trees of 1–70 leaves verifies, and every mutation fails', () => {
    for (const alg of ['sha256', 'sm3'] as const) {
      const all = treeOf(70, alg);
      const roots = Array.from({ length: 71 }, (_, n) => rootOfLeafHashes(alg, all.slice(0, n)));
      for (let n = 1; n <= 70; n++) {
        const leaves = all.slice(0, n);
        const root = roots[n] as Buffer;
        for (let m = 0; m < n; m++) {
          const proof = inclusionRanges(m, n).map(([lo, hi]) => rootOfLeafHashes(alg, leaves.slice(lo, hi)));
          assert.ok(verifyInclusion(alg, m, n, leaves[m] as Buffer, proof, root), `${alg} incl ${m}/${n}`);
          if (n % 7 === 0 || m % 11 === 0) {
            assert.ok(!verifyInclusion(alg, m, n, leaves[m] as Buffer, proof, roots[n - 1] as Buffer));
            assert.ok(!verifyInclusion(alg, m, 2 * n, leaves[m] as Buffer, proof, root));
            if (n > 1) {
              assert.ok(!verifyInclusion(alg, (m + 1) % n, n, leaves[m] as Buffer, proof, root));
            }
            if (proof.length > 0) {
              const bad = proof.map((p) => Buffer.from(p));
              (bad[0] as Buffer)[0] = ((bad[0] as Buffer)[0] as number) ^ 1;
              assert.ok(!verifyInclusion(alg, m, n, leaves[m] as Buffer, bad, root));
              assert.ok(!verifyInclusion(alg, m, n, leaves[m] as Buffer, [...proof, root], root));
            }
          }
        }
        for (let m = 1; m < n; m++) {
          const proof = consistencyRanges(m, n).map(([lo, hi]) =>
            rootOfLeafHashes(alg, leaves.slice(lo, hi)),
          );
          assert.ok(verifyConsistency(alg, m, n, roots[m] as Buffer, root, proof), `${alg} cons ${m}→${n}`);
          if ((m + n) % 5 === 0) {
            assert.ok(!verifyConsistency(alg, m, n, roots[m - 1] as Buffer, root, proof));
            assert.ok(!verifyConsistency(alg, m, n, roots[m] as Buffer, roots[n - 1] as Buffer, proof));
            const bad = proof.map((p) => Buffer.from(p));
            (bad[bad.length - 1] as Buffer)[3] = ((bad[bad.length - 1] as Buffer)[3] as number) ^ 0x80;
            assert.ok(!verifyConsistency(alg, m, n, roots[m] as Buffer, root, bad));
            assert.ok(!verifyConsistency(alg, m, n, roots[m] as Buffer, root, proof.slice(1)));
          }
        }
      }
    }
  });

  test('tiles: the incremental builder gives the reference root at every size, across tile boundaries', () => {
    const leaves = treeOf(256 * 3 + 17);
    const b = new TileBuilder(A);
    const stored = new Map<string, Buffer[]>();
    const checkAt = new Set([1, 2, 255, 256, 257, 511, 512, 513, 600, 768, 785]);
    for (let i = 0; i < leaves.length; i++) {
      for (const t of b.append([leaves[i] as Buffer])) {
        stored.set(`${t.level}/${t.index}`, t.hashes);
      }
      if (checkAt.has(b.size)) {
        assert.ok(b.root().equals(rootOfLeafHashes(A, leaves.slice(0, b.size))), `size ${b.size}`);
      }
    }
    // A builder reloaded from its right edge continues identically.
    const again = new TileBuilder(A, b.size, b.partial);
    again.append(treeOf(300).slice(0, 300));
    b.append(treeOf(300).slice(0, 300));
    assert.ok(again.root().equals(b.root()));
    // Ranges hashed from stored tiles equal the reference for arbitrary RFC ranges.
    const all = [...leaves];
    const node = (n: { level: number; index: number }) =>
      rootOfLeafHashes(A, all.slice(n.index * 2 ** n.level, (n.index + 1) * 2 ** n.level));
    for (const [lo, hi] of [...inclusionRanges(300, 785), ...consistencyRanges(257, 785)]) {
      assert.ok(rangeHash(A, lo, hi, node).equals(rootOfLeafHashes(A, all.slice(lo, hi))));
    }
    assert.equal(stored.get('1/0')?.length, 3);
  });

  test('tile paths and entry bundles follow C2SP tlog-tiles', () => {
    assert.equal(tileIndexPath(1234067), 'x001/x234/067');
    assert.equal(tileIndexPath(5), '005');
    assert.equal(tilePath(0, 1234067, 256), 'tile/0/x001/x234/067');
    assert.equal(tilePath(-1, 2, 17), 'tile/entries/002.p/17');
    assert.deepEqual(parseTilePath('tile/1/x001/x234/067.p/8'), { level: 1, index: 1234067, width: 8 });
    assert.deepEqual(parseTilePath('tile/entries/000'), { level: -1, index: 0, width: 256 });
    assert.equal(parseTilePath('tile/0/12'), undefined);
    const entries = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(70000 - 4465, 1)];
    assert.deepEqual(decodeBundle(encodeBundle(entries)), entries);
    assert.throws(() => encodeBundle([Buffer.alloc(65536)]));
  });
});

describe('RFC 8785 canonical JSON', () => {
  test('sorts keys by UTF-16 code units, writes numbers and strings as ECMAScript does', () => {
    assert.equal(
      canonicalize({ b: [1, 'x', null, true], a: { '\u20ac': 1, '\r': 2, '1': 3, '\ud83d\ude00': 4, ö: 5 } }),
      '{"a":{"\\r":2,"1":3,"ö":5,"€":1,"😀":4},"b":[1,"x",null,true]}',
    );
    assert.equal(
      canonicalize([1e21, 1e-7, -0, 0.1 + 0.2, 333333333.3333333]),
      '[1e+21,1e-7,0,0.30000000000000004,333333333.3333333]',
    );
    assert.equal(canonicalize('\u2028\u0007"'), '"\u2028\\u0007\\""');
    assert.throws(() => canonicalize(Number.NaN));
  });

  test('is stable under key order and round-trips through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalize(v);
        assert.equal(canonicalize(JSON.parse(c)), c);
      }),
      { numRuns: 300 },
    );
  });
});
