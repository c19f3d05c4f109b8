import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  ageBand,
  generalizeAge,
  generalizeDate,
  generalizeRegionCode,
} from '../../src/sharing/generalize.js';
import { derivedLevel, effectiveLevels, highestLevel, parseDataLevel } from '../../src/sharing/levels.js';
import {
  addressPrefix,
  keepEnds,
  maskAddress,
  maskBankCard,
  maskEmail,
  maskIdNumber,
  maskLandline,
  maskMobile,
  maskName,
  maskPassport,
} from '../../src/sharing/mask-functions.js';
import {
  applyProfile,
  compileProfile,
  MaskingCompileError,
  type MaskingItem,
} from '../../src/sharing/masking.js';
import { idCheckChar, normalizeIdNumber, toHalfWidth } from '../../src/sharing/normalize.js';
import {
  derivePseudonymKey,
  grantScope,
  hmacHex,
  hmacSm3Js,
  pseudonymize,
} from '../../src/sharing/pseudonym.js';

const MASTER = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

describe('identifier masks follow identifiers.md §6', () => {
  test('the documented examples', () => {
    assert.equal(maskIdNumber('11010519491231002X'), '110105********002X');
    assert.equal(maskIdNumber('11010519491231002x'), '110105********002X', 'check letter upper-cased');
    assert.equal(maskIdNumber('11010519491231002X', { short: true }), '1****************X');
    assert.equal(maskIdNumber('110105491231002'), '110105********002X', '15-digit legacy converted first');
    assert.equal(maskMobile('13812341234'), '138****1234');
    assert.equal(maskMobile('+86 138-1234-1234'), '138****1234');
    assert.equal(maskMobile('13812341234', { lastOnly: true }), '*******1234');
    assert.equal(maskName('张三'), '张*');
    assert.equal(maskName('张三丰'), '张**');
    assert.equal(maskName('欧阳娜娜'), '欧***');
    assert.equal(maskName('欧阳娜娜', { compoundSurname: true }), '欧阳**');
    assert.equal(maskName('张'), '张*');
    assert.equal(maskBankCard('6222021234567890128'), '622202*********0128');
    assert.equal(maskBankCard('6222 0212 3456 7890 128'), '622202*********0128');
    assert.equal(maskAddress('北京市朝阳区建国路88号'), '北京市朝阳区****');
    assert.equal(maskAddress('四川省成都市武侯区人民南路四段1号'), '四川省成都市武侯区****');
    assert.equal(maskEmail('zhangsan@example.cn'), 'z*******@example.cn');
    assert.equal(maskLandline('028-85551234'), '0288*****34');
    assert.equal(maskPassport('E12345678'), 'E1*****78');
  });

  test('full-width input is normalised before masking', () => {
    assert.equal(maskMobile('１３８１２３４１２３４'), '138****1234');
    assert.equal(maskIdNumber('１１０１０５１９４９１２３１００２ｘ'), '110105********002X');
  });

  test('address prefixes at each level', () => {
    assert.equal(addressPrefix('四川省成都市武侯区人民南路', 'province'), '四川省');
    assert.equal(addressPrefix('四川省成都市武侯区人民南路', 'city'), '四川省成都市');
    assert.equal(addressPrefix('上海市浦东新区世纪大道1号', 'district'), '上海市浦东新区');
    assert.equal(addressPrefix('浙江省金华市义乌市稠城街道', 'district'), '浙江省金华市义乌市');
    assert.equal(
      addressPrefix('新疆维吾尔自治区乌鲁木齐市天山区', 'district'),
      '新疆维吾尔自治区乌鲁木齐市天山区',
    );
    assert.equal(addressPrefix('人民南路四段1号', 'district'), undefined);
    assert.equal(maskAddress('人民南路四段1号'), '****', 'nothing recognisable: fully masked');
  });

  test('property: partial masks keep the length and exactly the documented ends', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{16}$/), (first17) => {
        const id = first17 + idCheckChar(first17);
        const m = maskIdNumber(id);
        assert.equal(m.length, 18);
        assert.equal(m.slice(0, 6), id.slice(0, 6));
        assert.equal(m.slice(14), id.slice(14));
        assert.equal(m.slice(6, 14), '********');
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.nat(5), fc.nat(5), (s, first, last) => {
        const m = keepEnds(s, first, last);
        const chars = Array.from(s);
        const out = Array.from(m);
        assert.equal(out.length, chars.length);
        if (chars.length > first + last) {
          assert.deepEqual(out.slice(0, first), chars.slice(0, first));
          assert.deepEqual(out.slice(out.length - last), chars.slice(chars.length - last));
          assert.ok(out.slice(first, out.length - last).every((c) => c === '*'));
        } else {
          assert.ok(
            out.every((c) => c === '*'),
            'too short to hide anything: all masked',
          );
        }
      }),
    );
  });

  test('toHalfWidth maps every full-width ASCII character', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
        (s) => {
          const full = Array.from(s, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
          assert.equal(toHalfWidth(full), s);
        },
      ),
    );
  });
});

describe('generalisation', () => {
  test('dates to year / month, read in Asia/Shanghai', () => {
    assert.equal(generalizeDate('1985-07-23', 'year'), '1985');
    assert.equal(generalizeDate('19850723', 'month'), '1985-07');
    // 16:30 UTC on 31 Dec is 00:30 on 1 Jan in Shanghai.
    assert.equal(generalizeDate(new Date('2024-12-31T16:30:00Z'), 'year'), '2025');
    assert.equal(generalizeDate('2024-12-31T16:30:00Z', 'year'), '2025');
    assert.equal(generalizeDate('2024-12-31T23:30:00', 'year'), '2024', 'a local timestamp keeps its date');
    assert.equal(generalizeDate('not a date', 'year'), null);
  });

  test('age bands by width, bounds and top-coding; from birth date and ID number', () => {
    assert.equal(ageBand(34), '30-39');
    assert.equal(ageBand(34, { width: 5 }), '30-34');
    assert.equal(ageBand(17, { bounds: [18, 35, 60] }), '<18');
    assert.equal(ageBand(35, { bounds: [18, 35, 60] }), '35-59');
    assert.equal(ageBand(80, { bounds: [18, 35, 60] }), '60+');
    assert.equal(ageBand(92, { top: 80 }), '80+');
    assert.equal(generalizeAge('1990-06-15', { referenceDate: '2025-06-14' }), '30-39');
    assert.equal(generalizeAge('1985-06-15', { referenceDate: '2025-06-14' }), '30-39');
    assert.equal(generalizeAge('1985-06-15', { referenceDate: '2025-06-15' }), '40-49');
    assert.equal(
      generalizeAge('11010519491231002X', {
        source: 'id_number',
        referenceDate: '2025-01-01',
        bounds: [18, 60],
      }),
      '60+',
    );
  });

  test('property: an age always falls inside its width band', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 130 }), fc.integer({ min: 1, max: 20 }), (age, width) => {
        const [lo, hi] = ageBand(age, { width }).split('-').map(Number);
        assert.ok(lo! <= age && age <= hi! && hi! - lo! === width - 1);
      }),
    );
  });

  test('region codes raise to prefecture / province; ID numbers use their first six digits', () => {
    assert.equal(generalizeRegionCode('510107', 'prefecture'), '510100');
    assert.equal(generalizeRegionCode('510107', 'province'), '510000');
    assert.equal(generalizeRegionCode('510107001001', 'county'), '510107');
    assert.equal(generalizeRegionCode('11010519491231002X', 'province'), '110000');
    assert.equal(generalizeRegionCode('abc', 'province'), null);
  });
});

describe('classification levels (就高从严)', () => {
  test('parse labels and codes; highest wins', () => {
    assert.equal(parseDataLevel('核心'), 'core');
    assert.equal(parseDataLevel('重要'), 'important');
    assert.equal(parseDataLevel('general'), 'general');
    assert.equal(parseDataLevel('秘密'), undefined);
    assert.equal(highestLevel(['general', 'important', 'general']), 'important');
    assert.equal(highestLevel([]), undefined);
  });

  test('derived data takes the highest source level; a downgrade needs a reason and never leaves core', () => {
    assert.deepEqual(derivedLevel('general', ['important']), { level: 'important', downgraded: false });
    assert.deepEqual(derivedLevel('general', ['important'], { to: 'general', reason: '' }), {
      level: 'important',
      downgraded: false,
    });
    assert.deepEqual(derivedLevel('general', ['important'], { to: 'general', reason: '聚合到区县级' }), {
      level: 'general',
      downgraded: true,
    });
    assert.equal(derivedLevel('general', ['core'], { to: 'general', reason: 'x' }).level, 'core');
  });

  test('effective levels follow derivedFrom transitively; unknown sources count as core', () => {
    const levels = effectiveLevels([
      { name: 'a', level: 'important' },
      { name: 'b', level: 'general', derivedFrom: ['a'] },
      { name: 'c', level: 'general', derivedFrom: ['b'] },
      { name: 'd', level: 'general', derivedFrom: ['missing'] },
      { name: 'e', level: 'general', derivedFrom: ['f'] },
      { name: 'f', level: 'important', derivedFrom: ['e'] },
    ]);
    assert.equal(levels.get('c'), 'important');
    assert.equal(levels.get('d'), 'core');
    assert.equal(levels.get('e'), 'important');
  });
});

const ITEMS: MaskingItem[] = [
  { name: 'id_number', level: 'important', kind: 'id_number' },
  { name: 'name', level: 'important', kind: 'name' },
  { name: 'phone', level: 'important', kind: 'mobile' },
  { name: 'note', level: 'important' },
  { name: 'district', level: 'general' },
  { name: 'born', level: 'general' },
];
const ROW = {
  id_number: '11010519491231002X',
  name: '张三丰',
  phone: '13812341234',
  note: '低保户',
  district: '锦江区',
  born: '1949-12-31',
  secret: 'not an item',
};

describe('masking profiles', () => {
  test('level defaults: 重要 masked by convention (or ****), 一般 clear; extra columns dropped', () => {
    const p = compileProfile({ items: ITEMS, profile: {} });
    assert.deepEqual(applyProfile(ROW, p), {
      id_number: '110105********002X',
      name: '张**',
      phone: '138****1234',
      note: '****',
      district: '锦江区',
      born: '1949-12-31',
    });
    assert.deepEqual([...p.defaulted].sort(), ITEMS.map((i) => i.name).sort());
  });

  test('the grant may say otherwise: explicit rules win, including clear for an important item', () => {
    const p = compileProfile({
      items: ITEMS,
      profile: { name: { op: 'clear' }, born: { op: 'date', to: 'year' }, phone: { op: 'null' } },
      columns: ['name', 'born', 'phone'],
    });
    assert.deepEqual(p.apply(ROW), { name: '张三丰', born: '1949', phone: null });
    assert.deepEqual(p.columns, ['name', 'born', 'phone']);
  });

  test('property: json(row) is the text of JSON.stringify(apply(row)), whatever the values', () => {
    const p = compileProfile({
      items: ITEMS,
      profile: { born: { op: 'date', to: 'year' }, district: { op: 'clear' } },
    });
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.date({ noInvalidDate: true }),
      fc.dictionary(fc.string(), fc.string(), { noNullPrototype: true }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...ITEMS.map((i) => i.name), 'secret'), value), (row) => {
        assert.equal(p.json(row), JSON.stringify(p.apply(row)));
      }),
    );
    assert.equal(p.json(ROW), JSON.stringify(p.apply(ROW)));
  });

  test('核心 never leaves: compiling refuses a core item, also when derived from one', () => {
    const items: MaskingItem[] = [
      ...ITEMS,
      { name: 'geo', level: 'core' },
      { name: 'geo_area', level: 'general', derivedFrom: ['geo'] },
    ];
    for (const columns of [['geo'], ['geo_area']]) {
      assert.throws(
        () => compileProfile({ items, profile: { geo: { op: 'clear' } }, columns }),
        (e: unknown) => e instanceof MaskingCompileError && e.code === 'CORE_ITEM' && e.item === columns[0],
      );
    }
    // Without the core columns, the same items compile.
    assert.ok(compileProfile({ items, profile: {}, columns: ['district'] }));
  });

  test('derived data is masked like its most sensitive source', () => {
    const items: MaskingItem[] = [
      { name: 'id_number', level: 'important', kind: 'id_number' },
      { name: 'id_tail', level: 'general', derivedFrom: ['id_number'] },
    ];
    const p = compileProfile({ items, profile: {} });
    assert.equal(p.levels['id_tail'], 'important');
    assert.equal(p.apply({ id_number: '11010519491231002X', id_tail: '002X' })['id_tail'], '****');
  });

  test('compile errors are typed', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof MaskingCompileError ? e.code : 'other';
      }
      return 'none';
    };
    assert.equal(
      code(() => compileProfile({ items: ITEMS, profile: { nope: { op: 'clear' } } })),
      'UNKNOWN_ITEM',
    );
    assert.equal(
      code(() => compileProfile({ items: ITEMS, profile: {}, columns: ['nope'] })),
      'UNKNOWN_ITEM',
    );
    assert.equal(
      code(() =>
        compileProfile({ items: ITEMS, profile: { born: { op: 'age_band', source: 'birth_date' } } }),
      ),
      'INVALID_RULE',
    );
    const aged = compileProfile({
      items: ITEMS,
      profile: { born: { op: 'age_band', bounds: [18, 60] } },
      columns: ['born'],
      referenceDate: '2025-01-01',
    });
    assert.deepEqual(aged.apply({ born: '1949-12-31' }), { born: '60+' });
    assert.equal(
      code(() => compileProfile({ items: ITEMS, profile: { id_number: { op: 'pseudonym' } } })),
      'PSEUDONYM_KEY_MISSING',
    );
    assert.equal(
      code(() =>
        compileProfile({
          items: ITEMS,
          profile: { phone: { op: 'partial', kind: 'mobile', style: 'short' } },
        }),
      ),
      'INVALID_RULE',
    );
    assert.equal(
      code(() => compileProfile({ items: ITEMS, profile: { note: { op: 'keep', first: -1, last: 0 } } })),
      'INVALID_RULE',
    );
  });

  test('nulls stay null under every rule; redact, keep, region and address rules', () => {
    const p = compileProfile({
      items: ITEMS,
      profile: {
        id_number: { op: 'region_code', to: 'prefecture' },
        name: { op: 'keep', first: 0, last: 1 },
        note: { op: 'redact', text: '[已脱敏]' },
        district: { op: 'address', to: 'district' },
      },
      columns: ['id_number', 'name', 'note', 'district'],
    });
    assert.deepEqual(
      p.apply({ id_number: '510104196001010012', name: '张三丰', note: 'x', district: '四川省成都市锦江区' }),
      {
        id_number: '510100',
        name: '**丰',
        note: '[已脱敏]',
        district: '四川省成都市锦江区',
      },
    );
    assert.deepEqual(p.apply({}), { id_number: null, name: null, note: null, district: null });
  });

  test('property: a masked output never contains the hidden middle of an ID number', () => {
    const p = compileProfile({ items: ITEMS, profile: {}, columns: ['id_number'] });
    fc.assert(
      fc.property(fc.stringMatching(/^[1-6]\d{16}$/), (first17) => {
        const id = first17 + idCheckChar(first17);
        const out = String(p.apply({ id_number: id })['id_number']);
        assert.ok(!out.includes(id.slice(6, 14)));
      }),
    );
  });
});

describe('keyed pseudonyms', () => {
  test('SM3 and HMAC-SHA256 agree with published vectors', () => {
    // SM3("abc") from GB/T 32905 (cn-rules.md §10.2), via the same code path the fallback uses.
    assert.equal(
      createHash('sm3').update('abc').digest('hex'),
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
    // RFC 4231 test case 1.
    assert.equal(
      hmacHex('hmac-sha256', Buffer.alloc(20, 0x0b), 'Hi There'),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
  });

  test('property: HMAC-SM3 via OpenSSL equals the independent sm-crypto implementation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.string(), (key, msg) => {
        assert.equal(hmacHex('hmac-sm3', key, msg), hmacSm3Js(key, msg));
      }),
      { numRuns: 60 },
    );
  });

  test('per-grant keys: two consumers cannot join tokens unless a grant shares the linkage scope', () => {
    const a = derivePseudonymKey(MASTER, { scope: grantScope('g-1'), version: 'k1' });
    const b = derivePseudonymKey(MASTER, { scope: grantScope('g-2'), version: 'k1' });
    const sharedA = derivePseudonymKey(MASTER, { scope: grantScope('g-1', 'health-hrss'), version: 'k1' });
    const sharedB = derivePseudonymKey(MASTER, { scope: grantScope('g-2', 'health-hrss'), version: 'k1' });
    const id = '11010519491231002X';
    assert.notEqual(pseudonymize(a, id, 'id_number'), pseudonymize(b, id, 'id_number'));
    assert.equal(pseudonymize(sharedA, id, 'id_number'), pseudonymize(sharedB, id, 'id_number'));
    assert.equal(a.algorithm, 'hmac-sm3');
    assert.match(pseudonymize(a, id), /^k1:[0-9a-f]{64}$/);
    const rotated = derivePseudonymKey(MASTER, { scope: grantScope('g-1'), version: 'k2' });
    assert.notEqual(pseudonymize(a, id).slice(3), pseudonymize(rotated, id).slice(3));
    const sha = derivePseudonymKey(MASTER, {
      scope: grantScope('g-1'),
      version: 'k1',
      algorithm: 'hmac-sha256',
    });
    assert.notEqual(pseudonymize(sha, id), pseudonymize(a, id));
  });

  test('tokens are deterministic over normalised values (check-letter case, 15-digit form, +86)', () => {
    const k = derivePseudonymKey(MASTER, { scope: 'grant:g', version: 'v1' });
    assert.equal(
      pseudonymize(k, '11010519491231002x', 'id_number'),
      pseudonymize(k, '11010519491231002X', 'id_number'),
    );
    assert.equal(
      pseudonymize(k, '110105491231002', 'id_number'),
      pseudonymize(k, '11010519491231002X', 'id_number'),
    );
    assert.equal(pseudonymize(k, '+86 138 1234 1234', 'mobile'), pseudonymize(k, '13812341234', 'mobile'));
    assert.equal(normalizeIdNumber('440524800101001'), '440524198001010013');
  });

  test('a pseudonym rule in a profile uses the grant key and the item kind', () => {
    const k = derivePseudonymKey(MASTER, { scope: 'grant:g', version: 'v1' });
    const p = compileProfile({
      items: ITEMS,
      profile: { id_number: { op: 'pseudonym' } },
      columns: ['id_number'],
      pseudonymKey: k,
    });
    assert.equal(
      p.apply({ id_number: '11010519491231002x' })['id_number'],
      pseudonymize(k, '11010519491231002X', 'id_number'),
    );
  });

  test('weak master keys and bad versions are refused', () => {
    assert.throws(() => derivePseudonymKey(Buffer.alloc(8), { scope: 's', version: 'v1' }), RangeError);
    assert.throws(() => derivePseudonymKey(MASTER, { scope: 's', version: 'v 1' }), RangeError);
  });
});
