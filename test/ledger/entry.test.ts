import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalize, canonicalizeJson } from '../../src/ledger/canonical-json.js';
import { entryBytes, entryObject, type EntrySource, leafHashOfText } from '../../src/ledger/entry.js';
import { leafHash, nodeHash, rangeHash, rootOfLeafHashes, TileBuilder } from '../../src/ledger/merkle.js';
import { RecentLeaves } from '../../src/ledger/recent-leaves.js';
import { TileCache } from '../../src/ledger/tile-cache.js';

const text = () => fc.string({ unit: 'binary', maxLength: 12 });
const orNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });

const source: fc.Arbitrary<EntrySource> = fc.record({
  id: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  occurredAt: fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
  type: text(),
  actorKind: text(),
  actorId: orNull(text()),
  orgId: orNull(text()),
  subjectType: orNull(text()),
  subjectId: orNull(text()),
  data: fc.dictionary(text(), fc.jsonValue()) as fc.Arbitrary<Record<string, unknown>>,
  requestId: orNull(text()),
  personalDigest: orNull(fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a))),
});

describe('ledger entries written member by member', () => {
  test('equal the RFC 8785 form of the entry object, byte for byte, and hash as the byte form does', () => {
    fc.assert(
      fc.property(source, (e) => {
        const bytes = entryBytes(e);
        assert.equal(bytes.toString('utf8'), canonicalize(entryObject(e)));
        assert.ok(leafHashOfText('sha256', bytes.toString('utf8')).equals(leafHash('sha256', bytes)));
        assert.ok(leafHashOfText('sm3', bytes.toString('utf8')).equals(leafHash('sm3', bytes)));
      }),
      { numRuns: 400 },
    );
  });

  test('event data is canonicalised as what JSON.stringify would store', () => {
    const odd = {
      when: new Date('2026-01-02T03:04:05.678Z'),
      nan: Number.NaN,
      inf: [Number.POSITIVE_INFINITY, undefined, () => 1],
      gone: undefined,
      fn: () => 2,
      nested: { toJSON: () => ({ z: 1, a: 2 }) },
      n: -0,
    };
    assert.equal(canonicalizeJson(odd), canonicalize(JSON.parse(JSON.stringify(odd))));
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.equal(canonicalizeJson(v), canonicalize(JSON.parse(JSON.stringify(v)) as unknown));
      }),
      { numRuns: 300 },
    );
  });
});

describe('in-memory tree state', () => {
  test('the tile cache answers every complete node of the tiles it holds, partial ones included', () => {
    const leaves = Array.from({ length: 700 }, (_, i) => leafHash('sha256', Buffer.from(String(i))));
    const b = new TileBuilder('sha256');
    const cache = new TileCache('sha256');
    for (const t of b.append(leaves)) {
      cache.put(t.level, t.index, t.hashes);
    }
    for (const size of [1, 2, 255, 256, 257, 511, 512, 513, 700]) {
      const root = rangeHash('sha256', 0, size, (n) => {
        const h = cache.node(n);
        assert.ok(h, `node ${n.level}/${n.index} missing`);
        return h;
      });
      assert.ok(root.equals(rootOfLeafHashes('sha256', leaves.slice(0, size))), `size ${size}`);
    }
    // A node past the cached width of a partial tile is not invented.
    assert.equal(cache.node({ level: 0, index: 700 }), undefined);
    assert.ok(
      (cache.node({ level: 1, index: 0 }) as Buffer).equals(
        nodeHash('sha256', leaves[0] as Buffer, leaves[1] as Buffer),
      ),
    );
  });

  test('recent leaves map event ids to sequence numbers whatever order the batches hold them in', () => {
    const r = new RecentLeaves(10);
    r.add(0, [5, 3, 4]);
    r.add(3, [9, 6, 7, 8]);
    assert.deepEqual(
      [5, 3, 4, 9, 6, 7, 8].map((id) => r.seqOf(id)),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.equal(r.seqOf(1), undefined);
    r.add(7, [10, 11, 12, 13, 14]); // over the bound: the oldest batch is forgotten
    assert.equal(r.seqOf(5), undefined);
    assert.equal(r.seqOf(14), 11);
  });
});
