import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type AccessMode,
  decideAccess,
  type Grant,
  quotaPeriodKey,
  REFUSAL_STATUS,
  takeToken,
  verifyClaims,
} from '../../src/sharing/grant-policy.js';

const NOW = new Date('2026-06-01T10:00:00+08:00');
const GRANT: Grant = {
  id: 'g1',
  status: 'active',
  resourceId: 'r1',
  items: ['id_number', 'name', 'district'],
  rowFilter: { kind: 'row_filter', ast: { eq: ['district', '锦江区'] } },
  maskingProfile: { name: { op: 'partial', kind: 'name' } },
  modes: ['read', 'verify'],
  quota: { period: 'day', maxCalls: 100, maxRows: 1000 },
  validFrom: new Date('2026-01-01T00:00:00+08:00'),
  validTo: new Date('2027-01-01T00:00:00+08:00'),
  purpose: '低保资格核验',
};

describe('grant evaluation', () => {
  test('allowed: the asked items, the grant row filter and masking profile, the remaining row budget', () => {
    const d = decideAccess(GRANT, {
      mode: 'read',
      items: ['name', 'district', 'name'],
      at: NOW,
      usage: { periodKey: '2026-06-01', calls: 3, rows: 400 },
    });
    assert.ok(d.allowed);
    assert.deepEqual(d.items, ['name', 'district']);
    assert.deepEqual(d.rowFilter, GRANT.rowFilter);
    assert.deepEqual(d.maskingProfile, GRANT.maskingProfile);
    assert.equal(d.rowBudget, 600);
    const all = decideAccess(GRANT, { mode: 'verify', at: NOW });
    assert.ok(all.allowed);
    assert.deepEqual(all.items, GRANT.items);
  });

  test('each refusal code', () => {
    const code = (g: Partial<Grant>, r: Partial<Parameters<typeof decideAccess>[1]> = {}) => {
      const d = decideAccess({ ...GRANT, ...g }, { mode: 'read', at: NOW, ...r });
      return d.allowed ? 'ALLOWED' : d.code;
    };
    assert.equal(code({ status: 'revoked' }), 'GRANT_REVOKED');
    assert.equal(code({ status: 'suspended' }), 'GRANT_SUSPENDED');
    assert.equal(code({ status: 'expired' }), 'GRANT_EXPIRED');
    assert.equal(
      code({}, { at: new Date('2027-01-01T00:00:00+08:00') }),
      'GRANT_EXPIRED',
      'validTo is exclusive',
    );
    assert.equal(code({}, { at: new Date('2025-12-31T23:59:59+08:00') }), 'GRANT_NOT_YET_VALID');
    assert.equal(code({}, { mode: 'download' }), 'MODE_NOT_GRANTED');
    assert.equal(code({}, { items: ['name', 'phone'] }), 'ITEM_NOT_GRANTED');
    assert.equal(code({}, { items: [] }), 'ITEM_NOT_GRANTED');
    assert.equal(code({}, { usage: { periodKey: '2026-06-01', calls: 100, rows: 0 } }), 'QUOTA_EXCEEDED');
    assert.equal(code({}, { usage: { periodKey: '2026-06-01', calls: 1, rows: 1000 } }), 'QUOTA_EXCEEDED');
    assert.equal(
      code({}, { usage: { periodKey: '2026-05-31', calls: 100, rows: 1000 } }),
      'ALLOWED',
      'yesterday’s usage',
    );
    assert.equal(
      code({ rate: { perSecond: 1 } }, { bucket: { tokens: 0, updatedAt: NOW.getTime() } }),
      'RATE_LIMITED',
    );
    const d = decideAccess(GRANT, { mode: 'read', items: ['phone', 'phone', 'email'], at: NOW });
    assert.ok(!d.allowed);
    assert.deepEqual(d.details, { items: ['phone', 'email'] });
    assert.equal(REFUSAL_STATUS.QUOTA_EXCEEDED, 429);
  });

  test('the first failing check wins, in the documented order', () => {
    const d = decideAccess(
      { ...GRANT, status: 'revoked' },
      {
        mode: 'download',
        items: ['phone'],
        at: new Date('2030-01-01'),
        usage: { periodKey: 'x', calls: 1e9, rows: 1e9 },
      },
    );
    assert.ok(!d.allowed && d.code === 'GRANT_REVOKED');
    const e = decideAccess(GRANT, { mode: 'download', items: ['phone'], at: NOW });
    assert.ok(!e.allowed && e.code === 'MODE_NOT_GRANTED');
  });

  test('property: allowed ⇒ mode granted, items ⊆ granted, within the window', () => {
    const modes: AccessMode[] = ['read', 'verify', 'download', 'subscribe', 'compute'];
    fc.assert(
      fc.property(
        fc.constantFrom(...modes),
        fc.option(fc.subarray(['id_number', 'name', 'district', 'phone', 'email'])),
        fc.date({ min: new Date('2025-06-01'), max: new Date('2027-06-01'), noInvalidDate: true }),
        fc.constantFrom('active', 'suspended', 'revoked', 'expired') as fc.Arbitrary<Grant['status']>,
        (mode, items, at, status) => {
          const d = decideAccess({ ...GRANT, status }, { mode, items: items ?? undefined, at });
          if (d.allowed) {
            assert.equal(status, 'active');
            assert.ok(GRANT.modes.includes(mode));
            assert.ok(d.items.every((i) => GRANT.items.includes(i)));
            assert.ok(at >= GRANT.validFrom && at < GRANT.validTo);
          } else {
            assert.ok(!('items' in d), 'a refusal carries no data');
          }
        },
      ),
    );
  });

  test('quota periods are Shanghai calendar days and months', () => {
    assert.equal(quotaPeriodKey(new Date('2026-05-31T16:00:00Z'), 'day'), '2026-06-01');
    assert.equal(quotaPeriodKey(new Date('2026-05-31T15:59:59Z'), 'month'), '2026-05');
    assert.equal(quotaPeriodKey(NOW, 'total'), 'total');
  });

  test('property: the token bucket never lets more than burst + rate·t calls through', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 200 }),
        (perSecond, burst, gaps) => {
          let t = 0;
          let bucket;
          let passed = 0;
          for (const g of gaps) {
            t += g;
            const r = takeToken(bucket, { perSecond, burst }, new Date(t));
            bucket = r.bucket;
            if (r.ok) {
              passed++;
            } else {
              assert.ok(r.retryAfterMs > 0);
            }
          }
          assert.ok(passed <= burst + (t / 1000) * perSecond + 1e-9);
        },
      ),
    );
  });
});

describe('verify (核验)', () => {
  const actual = {
    id_number: '11010519491231002X',
    name: '张三',
    phone: '13812341234',
    born: '1949-12-31',
    income: 1500,
  };
  const kinds = { id_number: 'id_number', phone: 'mobile', name: 'name' } as const;

  test('match / no_match per claimed item and nothing else', () => {
    const r = verifyClaims({ id_number: '11010519491231002x', name: '张四' }, actual, kinds);
    assert.deepEqual(r, { id_number: 'match', name: 'no_match' });
  });

  test('normalises full-width characters, check-letter case, 15-digit IDs, +86, date and number spellings', () => {
    const r = verifyClaims(
      {
        id_number: '１１０１０５４９１２３１００２',
        name: ' 张 三 ',
        phone: '+86 138-1234-1234',
        born: '19491231',
        income: '1500.00',
      },
      actual,
      kinds,
    );
    assert.deepEqual(r, {
      id_number: 'match',
      name: 'match',
      phone: 'match',
      born: 'match',
      income: 'match',
    });
  });

  test('item names such as __proto__ and constructor are only names', () => {
    const claims = JSON.parse('{"__proto__": "x", "constructor": "y", "name": "张三"}') as Record<
      string,
      unknown
    >;
    const r = verifyClaims(claims, actual, kinds);
    assert.deepEqual(Object.keys(r).sort(), ['__proto__', 'constructor', 'name']);
    assert.equal(r['__proto__'], 'no_match');
    assert.equal(r['constructor'], 'no_match');
    assert.equal(r['name'], 'match');
  });

  test('no record, null values and missing items are no_match', () => {
    assert.deepEqual(verifyClaims({ name: '张三', born: null }, null, kinds), {
      name: 'no_match',
      born: 'no_match',
    });
    assert.deepEqual(verifyClaims({ email: 'a@b.cn', born: null }, actual, kinds), {
      email: 'no_match',
      born: 'no_match',
    });
  });

  test('property: the answer has exactly the claimed keys and only match / no_match values', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
        (claims) => {
          const r = verifyClaims(claims, actual, kinds);
          assert.deepEqual(Object.keys(r).sort(), Object.keys(claims).sort());
          assert.ok(Object.values(r).every((v) => v === 'match' || v === 'no_match'));
          // A record always verifies against itself.
          const self = verifyClaims(actual, actual, kinds);
          assert.ok(Object.values(self).every((v) => v === 'match'));
        },
      ),
      { numRuns: 50 },
    );
  });
});
