import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { detectEncoding, parseCsv } from '../../src/datasets/csv.js';
import {
  detectKind,
  isBankCard,
  isMobile,
  residentIdProblem,
  usccProblem,
} from '../../src/datasets/identifiers.js';
import { checkValue, ColumnStats, csvField, proposeItem } from '../../src/datasets/values.js';
import { SecretBox } from '../../src/platform/secrets.js';

describe('identifier rules (reference/identifiers.md vectors)', () => {
  test('resident ID', () => {
    for (const ok of ['11010519491231002X', '440524188001010014', '34052419800101001X']) {
      assert.equal(residentIdProblem(ok), null, ok);
    }
    assert.equal(residentIdProblem('110105194912310021'), 'check');
    assert.equal(residentIdProblem('110105194913310021'), 'birthDate');
    assert.equal(residentIdProblem('110105194902300020'), 'birthDate');
  });
  test('USCC, mobile, bank card', () => {
    for (const ok of ['91350100M000100Y43', '9144030071526726XG', '91110000802100433B']) {
      assert.equal(usccProblem(ok), null, ok);
    }
    assert.equal(usccProblem('91350100M000100Y44'), 'check');
    assert.ok(isMobile('13812345678') && isMobile('+8613812345678') && isMobile('008619212345678'));
    assert.ok(!isMobile('12812345678') && !isMobile('1381234567'));
    assert.ok(isBankCard('6222021234567890128') && isBankCard('4111111111111111'));
    assert.ok(!isBankCard('6222021234567890123'));
    assert.equal(detectKind('张三丰'), 'name');
    assert.equal(detectKind('z@example.cn'), 'email');
    assert.equal(detectKind('成都市锦江区春熙路12号'), 'address');
  });
  test('value checks report codes and normalise', () => {
    const d = { name: 'd', dataType: 'D', level: 'general', piiKind: null } as const;
    assert.deepEqual(checkValue(d, '2021/2/3'), { ok: true, value: '2021-02-03' });
    assert.deepEqual(checkValue(d, '2021-02-30'), { ok: false, code: 'badDate' });
    assert.deepEqual(checkValue({ ...d, level: 'core' }, ' '), { ok: false, code: 'required' });
    assert.deepEqual(checkValue({ ...d, dataType: 'N' }, '贰万'), { ok: false, code: 'notNumber' });
    assert.deepEqual(checkValue({ ...d, dataType: 'N' }, '1,234.5'), { ok: true, value: '1234.5' });
  });
  test('inference tolerates a few bad values but not many', () => {
    const s = new ColumnStats();
    for (let i = 0; i < 100; i++) {
      s.add(i === 7 ? '一百' : String(i * 1.5));
    }
    assert.equal(proposeItem('金额', s).dataType, 'N');
    const codes = new ColumnStats();
    for (const v of ['510104', '510105', '510106']) {
      codes.add(v);
    }
    assert.equal(proposeItem('户籍地行政区划代码', codes).dataType, 'C');
  });
});

describe('CSV reader', () => {
  test('any table survives quoting and arbitrary chunking', async () => {
    const cell = fc.string({ unit: fc.constantFrom('a', '张', ',', '"', '\n', '\r\n', ' ', '，') });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        async (rows, cuts) => {
          // Rows whose every field is empty serialise to a blank line, which readers skip.
          const table = rows.filter((r) => r.some((v) => v !== ''));
          const text = table.map((r) => r.map((v) => csvField(v)).join(',')).join('\r\n');
          async function* chunks() {
            let pos = 0;
            let k = 0;
            while (pos < text.length) {
              const n = cuts[k++ % cuts.length] as number;
              yield text.slice(pos, pos + n);
              pos += n;
            }
          }
          const got: string[][] = [];
          for await (const batch of parseCsv(chunks())) {
            got.push(...batch.map((b) => b.fields));
          }
          assert.deepEqual(got, table);
        },
      ),
      { numRuns: 200 },
    );
  });
  test('records carry the physical line they start on', async () => {
    async function* one() {
      yield 'h1,h2\r\n\r\na,"multi\nline"\r\nb,c\r\n';
    }
    const lines: number[] = [];
    for await (const b of parseCsv(one())) {
      lines.push(...b.map((r) => r.line));
    }
    assert.deepEqual(lines, [1, 3, 5]);
  });
  test('encoding detection', () => {
    assert.equal(detectEncoding(Buffer.from('\uFEFFa,b', 'utf8')), 'utf-8');
    assert.equal(detectEncoding(Buffer.from('名称', 'utf8')), 'utf-8');
    assert.equal(detectEncoding(Buffer.from([0xc3, 0xfb, 0xb3, 0xc6])), 'gbk'); // 名称 in GBK
    assert.equal(detectEncoding(Buffer.from([0x81, 0x30, 0x81, 0x30])), 'gb18030');
  });
});

describe('secrets at rest', () => {
  test('AES-256-GCM round trip; tampering and the wrong key are detected', () => {
    const box = SecretBox.fromKeyMaterial('k1');
    const c = box.encrypt('p@ss 密码');
    assert.ok(!c.includes('p@ss'));
    assert.equal(box.decrypt(c), 'p@ss 密码');
    assert.throws(() => SecretBox.fromKeyMaterial('k2').decrypt(c));
    const parts = c.split('.');
    parts[3] = Buffer.from('xx').toString('base64url');
    assert.throws(() => box.decrypt(parts.join('.')));
  });
});
