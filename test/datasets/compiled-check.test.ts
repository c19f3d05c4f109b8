import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { idCheckChar } from '../../src/datasets/identifiers.js';
import { checkValue, compileCheck, csvField, Failure, type ItemSpec } from '../../src/datasets/values.js';

const id = idCheckChar('51010419900307123');
// Values built from the pieces real files are made of: digits, separators, blanks (ASCII and full-width),
// X/x check characters, Han text, quotes and commas.
const piece = fc.constantFrom(
  '0',
  '1',
  '9',
  '13',
  '2024',
  '-',
  '/',
  '.',
  ' ',
  '\u3000',
  '\t',
  'x',
  'X',
  '张',
  '锦江区',
  '"',
  ',',
  '+86',
  '51010419900307123',
  id,
  `51010419900307123${id}`,
  `51010419900307123${id} `,
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
const value = fc.oneof(
  fc.constant(null),
  fc.array(piece, { maxLength: 4 }).map((p) => p.join('')),
);
const item = fc.record({
  name: fc.constant('x'),
  dataType: fc.constantFrom('C', 'M', 'I', 'D', 'N', 'T', 'L') as fc.Arbitrary<ItemSpec['dataType']>,
  length: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  level: fc.constantFrom('core', 'important', 'general') as fc.Arbitrary<ItemSpec['level']>,
  piiKind: fc.constantFrom(null, 'resident_id', 'mobile', 'name', 'address', 'uscc', 'email'),
});

test('the compiled bulk checks accept, normalise and refuse exactly as checkValue does', () => {
  fc.assert(
    fc.property(item, value, (it, raw) => {
      const spec: ItemSpec = { ...it };
      const check = compileCheck(spec);
      const got = check(raw);
      const want = checkValue(spec, raw);
      if (want.ok) {
        assert.equal(got, want.value);
        if (check.safe && want.value !== null) {
          assert.equal(csvField(want.value), want.value, 'a value marked safe needs no CSV quoting');
        }
      } else {
        assert.ok(got instanceof Failure);
        assert.equal(got.code, want.code);
      }
    }),
    { numRuns: 5000 },
  );
});
