import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { binaryCapable, compileByteCheck } from '../../src/datasets/byte-check.js';
import { parseCsv } from '../../src/datasets/csv.js';
import { recordValues, scanCsv, utf8Chunks } from '../../src/datasets/csv-bytes.js';
import { idCheckChar } from '../../src/datasets/identifiers.js';
import { BinaryRowWriter, daysFromCivil } from '../../src/datasets/pg-binary.js';
import { ColumnStats, compileCheck, csvField, Failure, type ItemSpec } from '../../src/datasets/values.js';

const id = idCheckChar('51010419900307123');
const piece = fc.constantFrom(
  '0',
  '1',
  '9',
  '13',
  '2024',
  '-',
  '+',
  '/',
  '.',
  ',',
  ':',
  ' ',
  '\u3000',
  '\u00a0',
  '\t',
  'x',
  'X',
  'T',
  'true',
  '是',
  '张',
  '王伟',
  '欧阳',
  '锦江区',
  '路12号',
  '😀',
  '年',
  '51010419900307123',
  id,
  `51010419900307123${id}`,
  '51010419900307123x',
  '13812345678',
  '2024-02-29',
  '2023-02-29',
  '2024-1-5',
  '20240105',
  '1234567890123456789',
  '-12',
  '0012',
  '',
);
const text = fc.array(piece, { maxLength: 4 }).map((p) => p.join(''));

async function* chunksOf(buf: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let pos = 0;
  let k = 0;
  while (pos < buf.length) {
    const n = cuts[k++ % cuts.length] as number;
    yield buf.subarray(pos, pos + n);
    pos += n;
  }
}

test('the byte reader finds the records and lines the text reader finds, however the bytes are cut', async () => {
  const cell = fc.string({ unit: fc.constantFrom('a', '张', ',', '"', '\n', '\r\n', '\r', ' ', '，', '😀') });
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(cell, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }),
      fc.boolean(),
      fc.constantFrom('\n', '\r\n'),
      async (rows, cuts, quoteAll, eol) => {
        const csv = rows
          .map((r) =>
            r.map((v) => (quoteAll && v !== '' ? `"${v.replaceAll('"', '""')}"` : csvField(v))).join(','),
          )
          .join(eol);
        const bytes = Buffer.from(csv, 'utf8');
        async function* textChunks() {
          await Promise.resolve();
          yield csv;
        }
        const want: Array<[number, string[]]> = [];
        for await (const batch of parseCsv(textChunks())) {
          want.push(...batch.map((b): [number, string[]] => [b.line, b.fields]));
        }
        const got: Array<[number, string[]]> = [];
        for await (const b of scanCsv(utf8Chunks(chunksOf(bytes, cuts), 'utf-8', () => undefined))) {
          for (let r = 0; r < b.rows; r++) {
            got.push([b.line[r] as number, recordValues(b, r)]);
          }
        }
        assert.deepEqual(got, want);
      },
    ),
    { numRuns: 300 },
  );
});

test('GBK bytes are read as the text reader decodes them, a BOM is dropped', async () => {
  const gbk = Buffer.from([0xc3, 0xfb, 0xb3, 0xc6, 0x2c, 0x61, 0x0a, 0xd5, 0xc5, 0x2c, 0x62, 0x0a]); // 名称,a\n张,b\n
  const got: string[][] = [];
  for await (const b of scanCsv(utf8Chunks(chunksOf(gbk, [5, 1, 2]), undefined, () => undefined))) {
    for (let r = 0; r < b.rows; r++) {
      got.push(recordValues(b, r));
    }
  }
  assert.deepEqual(got, [
    ['名称', 'a'],
    ['张', 'b'],
  ]);
  const bom = Buffer.from('\uFEFF名称,a\n', 'utf8');
  const got2: string[][] = [];
  for await (const b of scanCsv(utf8Chunks(chunksOf(bom, [2]), undefined, () => undefined))) {
    got2.push(recordValues(b, 0));
  }
  assert.deepEqual(got2, [['名称', 'a']]);
});

test('column statistics on bytes are the statistics on strings', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constant(null), text), { minLength: 0, maxLength: 60 }),
      fc.integer({ min: 0, max: 1100 }),
      (values, settleWith) => {
        // Enough identical leading values to settle a candidate kind, then the random ones.
        const lead = [`51010419900307123${id}`, '13812345678', '王伟', '2024-01-01', '12'][
          settleWith % 5
        ] as string;
        const all = [...Array.from({ length: settleWith }, () => lead), ...values];
        const a = new ColumnStats();
        const b = new ColumnStats();
        const now = Date.now();
        for (const v of all) {
          a.add(v);
          if (v === null) {
            b.addBytes(Buffer.alloc(0), -1, -1, now);
          } else {
            const buf = Buffer.from(`,${v},`, 'utf8');
            b.addBytes(buf, 1, buf.length - 1, now);
          }
        }
        assert.deepEqual({ ...b, kinds: b.kindCounts() }, { ...a, kinds: a.kindCounts() });
      },
    ),
    { numRuns: 300 },
  );
});

/** Reads back one binary COPY field as the text COPY would have stored it. */
function readField(t: string, buf: Buffer, pos: number): { value: string | null; next: number } {
  const n = buf.readInt32BE(pos);
  if (n === -1) {
    return { value: null, next: pos + 4 };
  }
  const s = pos + 4;
  let value: string;
  if (t === 'I') {
    value = buf.readBigInt64BE(s).toString();
  } else if (t === 'D') {
    const days = buf.readInt32BE(s) + daysFromCivil(2000, 1, 1);
    value = new Date(days * 86_400_000).toISOString().slice(0, 10);
  } else if (t === 'L') {
    value = buf[s] === 1 ? 'true' : 'false';
  } else {
    value = buf.toString('utf8', s, s + n);
  }
  return { value, next: s + n };
}

const item = fc.record({
  name: fc.constant('x'),
  dataType: fc.constantFrom('C', 'M', 'I', 'D', 'L') as fc.Arbitrary<ItemSpec['dataType']>,
  length: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  level: fc.constantFrom('core', 'important', 'general') as fc.Arbitrary<ItemSpec['level']>,
  piiKind: fc.constantFrom(null, 'resident_id', 'mobile', 'name', 'address', 'uscc', 'email'),
});

test('checks on bytes accept, normalise and refuse exactly as the compiled checks do', () => {
  fc.assert(
    fc.property(item, fc.oneof(fc.constant(null), text), (it, raw) => {
      const spec: ItemSpec = { ...it };
      assert.ok(binaryCapable(spec.dataType));
      const want = compileCheck(spec)(raw);
      const w = new BinaryRowWriter();
      w.beginRow(1);
      const buf = Buffer.from(`,${raw ?? ''},`, 'utf8');
      const fail =
        raw === null
          ? compileByteCheck(spec)(buf, -1, -1, w, Date.now())
          : compileByteCheck(spec)(buf, 1, buf.length - 1, w, Date.now());
      if (want instanceof Failure) {
        assert.equal(fail?.code, want.code);
        return;
      }
      assert.equal(fail, null);
      w.endRow();
      const out = Buffer.concat(w.take());
      let expected = want;
      if (expected !== null && spec.dataType === 'I') {
        expected = BigInt(expected).toString();
      }
      assert.equal(readField(spec.dataType, out, 2).value, expected);
    }),
    { numRuns: 3000 },
  );
});

test('a row found bad half-way is dropped; rows spanning slabs survive', () => {
  const w = new BinaryRowWriter();
  w.beginRow(1);
  w.text('kept');
  w.endRow();
  w.beginRow(1);
  w.text('dropped');
  w.rollback();
  const big = 'x'.repeat(3 << 20);
  for (let i = 0; i < 3; i++) {
    w.beginRow(1);
    w.text(big);
    w.endRow();
  }
  const out = Buffer.concat(w.take());
  assert.equal(out.length, 2 + 4 + 4 + 3 * (2 + 4 + big.length));
  assert.equal(readField('C', out, 2).value, 'kept');
  assert.equal(readField('C', out, 12).value, big);
});
