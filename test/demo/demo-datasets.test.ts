import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isResidentId, isUscc } from '../../src/datasets/identifiers.js';
import { demoEnterprises, demoPeople } from '../../src/demo/demo-datasets.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { createTestContext, type TestContext } from '../support/app.js';

describe('demo data generators', () => {
  test('people carry valid, distinct resident ID numbers; enterprises valid USCCs', () => {
    const people = demoPeople(1500);
    assert.ok(people.every((p) => isResidentId(p.id)));
    assert.ok(people.every((p) => p.id.slice(6, 14) === p.birth.replace(/-/g, '')));
    assert.ok(new Set(people.map((p) => p.id)).size > 1450);
    const ents = demoEnterprises(500, people);
    assert.ok(ents.every((e) => isUscc(String(e[1]))));
    // Deterministic: the same city on every machine.
    assert.deepEqual(demoPeople(3), demoPeople(3));
  });
});

describe('demo datasets behind the main resources (embedded store)', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext('embedded');
    await ctx.services.demo.seed();
  });
  after(() => ctx.close());

  test('人口基础信息, 企业登记信息 and 社保参保信息 are hosted with every generated row loaded', async () => {
    const all = await ctx.services.datasets.list(SYSTEM);
    const count = async (name: string) => {
      const ds = all.find((d) => d.name === name);
      assert.ok(ds, name);
      assert.equal(ds.kind, 'hosted');
      return ctx.services.datasets.count(SYSTEM, ds.id, undefined);
    };
    assert.equal(await count('人口基础信息'), 1500);
    assert.equal(await count('企业登记信息'), 500);
    assert.equal(await count('社保参保信息'), 1000);
    // No PostgreSQL server behind the embedded store: nothing is linked.
    assert.ok(all.every((d) => d.kind === 'hosted'));
  });
});
