import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/identity/actor.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestContext, PASSWORD, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';

async function rejectsWith(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === code);
}

for (const kind of storageKinds()) {
  describe(`identity services on ${kind}`, () => {
    let ctx: TestContext;
    before(async () => {
      ctx = await createTestContext(kind);
    });
    after(() => ctx.close());

    test('organizations form a tree and refuse cycles and duplicate codes', async () => {
      const region = await ctx.newOrg('region');
      const dept = await ctx.services.orgs.create(SYSTEM, {
        code: `${region.code}-d`,
        name: '某局',
        kind: 'department',
        parentId: region.id,
      });
      assert.equal(dept.parentId, region.id);
      await rejectsWith(ctx.services.orgs.update(SYSTEM, region.id, { parentId: dept.id }), 'ORG_CYCLE');
      await rejectsWith(
        ctx.services.orgs.create(SYSTEM, { code: region.code, name: 'dup', kind: 'region' }),
        'ORG_CODE_TAKEN',
      );
      const fetched = await ctx.services.orgs.get(SYSTEM, dept.code);
      assert.equal(fetched.id, dept.id);
    });

    test('separation of duties: sysadmin, secadmin and auditor are never held together', async () => {
      const org = await ctx.newOrg('data_bureau');
      await rejectsWith(
        ctx.services.users.create(SYSTEM, {
          username: `sod${Date.now()}`,
          displayName: 'x',
          orgId: org.id,
          roles: ['sysadmin', 'auditor'],
        }),
        'ROLES_SEPARATION_OF_DUTIES',
      );
      const u = await ctx.newUser(org.id, ['secadmin']);
      await rejectsWith(
        ctx.services.users.setRoles(SYSTEM, u.id, ['secadmin', 'sysadmin']),
        'ROLES_SEPARATION_OF_DUTIES',
      );
      const ok = await ctx.services.users.setRoles(SYSTEM, u.id, ['secadmin', 'approver']);
      assert.deepEqual(ok.roles, ['approver', 'secadmin']);
    });

    test('a security admin cannot change their own roles; a sysadmin cannot assign roles', async () => {
      const org = await ctx.newOrg('data_bureau');
      const sec = await ctx.newUser(org.id, ['secadmin']);
      const sys = await ctx.newUser(org.id, ['sysadmin']);
      const secActor = {
        kind: 'user' as const,
        id: sec.id,
        orgId: org.id,
        roles: ['secadmin' as const],
        username: sec.username,
        via: 'bearer' as const,
      };
      const sysActor = {
        kind: 'user' as const,
        id: sys.id,
        orgId: org.id,
        roles: ['sysadmin' as const],
        username: sys.username,
        via: 'bearer' as const,
      };
      await rejectsWith(
        ctx.services.users.setRoles(secActor, sec.id, ['secadmin', 'consumer']),
        'ROLES_SELF_ASSIGN',
      );
      await rejectsWith(ctx.services.users.setRoles(sysActor, sec.id, ['consumer']), 'FORBIDDEN');
      const changed = await ctx.services.users.setRoles(secActor, sys.id, ['sysadmin', 'catalog_editor']);
      assert.deepEqual(changed.roles, ['catalog_editor', 'sysadmin']);
      const events = await ctx.services.ledger.list(SYSTEM, {
        type: 'user.roles.changed',
        subjectId: sys.id,
      });
      assert.equal(events.length, 1);
      assert.deepEqual(events[0]?.data, { before: ['sysadmin'], after: ['catalog_editor', 'sysadmin'] });
      assert.equal(events[0]?.actor.id, sec.id);
    });

    test('weak passwords are refused with the reason', async () => {
      const org = await ctx.newOrg();
      for (const [password, key] of [
        ['short1A', 'error.password.tooShort'],
        ['alllowercase1', 'error.password.tooSimple'],
      ] as const) {
        await assert.rejects(
          ctx.services.users.create(SYSTEM, {
            username: `pw${Date.now()}${password.length}`,
            displayName: 'x',
            orgId: org.id,
            password,
          }),
          (e: unknown) => e instanceof AppError && e.code === 'PASSWORD_WEAK' && e.messageKey === key,
        );
      }
    });

    test('API keys are stored hashed, shown once, scoped to the app role and revocable at once', async () => {
      const org = await ctx.newOrg();
      const app = await ctx.services.apps.create(SYSTEM, { name: 'svc', orgId: org.id });
      const { key, secret } = await ctx.services.apps.createKey(SYSTEM, app.id, { name: 'k1' });
      assert.match(secret, /^ghk_[A-Za-z0-9]{12}_/);
      const stored = await ctx.services.database.db
        .selectFrom('api_key')
        .selectAll()
        .where('id', '=', key.id)
        .executeTakeFirstOrThrow();
      assert.ok(!stored.secret_hash.includes(secret.slice(17)));
      assert.equal(stored.secret_hash.length, 64);
      assert.ok(!key.scopes.includes('key.manage'), 'apps never get identity-management scopes');
      const actor = await ctx.services.auth.apiKeyActor(secret);
      assert.equal(actor?.kind, 'app');
      assert.equal(await ctx.services.auth.apiKeyActor(`${secret.slice(0, -1)}X`), undefined);
      await ctx.services.apps.revokeKey(SYSTEM, app.id, key.id);
      assert.equal(await ctx.services.auth.apiKeyActor(secret), undefined);
      await rejectsWith(
        ctx.services.apps.createKey(SYSTEM, app.id, { name: 'k2', scopes: ['user.create'] }),
        'KEY_SCOPE_INVALID',
      );
    });

    test('expired API keys are refused', async () => {
      const org = await ctx.newOrg();
      const app = await ctx.services.apps.create(SYSTEM, { name: 'exp', orgId: org.id });
      const { key, secret } = await ctx.services.apps.createKey(SYSTEM, app.id, { name: 'old' });
      await ctx.services.database.db
        .updateTable('api_key')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', key.id)
        .execute();
      assert.equal(await ctx.services.auth.apiKeyActor(secret), undefined);
    });

    test('lockout after repeated failures; unknown users and locked users get the same answer', async () => {
      const org = await ctx.newOrg();
      const u = await ctx.newUser(org.id);
      const max = ctx.services.config.login.maxFailures;
      for (let i = 0; i < max; i++) {
        await rejectsWith(
          ctx.services.auth.login(u.username, 'Wrong@Pass1', 'bearer'),
          'AUTH_INVALID_CREDENTIALS',
        );
      }
      await rejectsWith(ctx.services.auth.login(u.username, PASSWORD, 'bearer'), 'AUTH_INVALID_CREDENTIALS');
      await rejectsWith(
        ctx.services.auth.login(`nobody${Date.now()}`, PASSWORD, 'bearer'),
        'AUTH_INVALID_CREDENTIALS',
      );
      const locked = await ctx.services.users.get(SYSTEM, u.id);
      assert.equal(locked.locked, true);
      await ctx.services.users.unlock(SYSTEM, u.id);
      const opened = await ctx.services.auth.login(u.username, PASSWORD, 'bearer');
      assert.equal(opened.user.username, u.username);
      const lockEvents = await ctx.services.ledger.list(SYSTEM, { type: 'auth.locked', subjectId: u.id });
      assert.equal(lockEvents.length, 1);
    });

    test('expired sessions are swept away; live ones stay', async () => {
      const org = await ctx.newOrg();
      const u = await ctx.newUser(org.id);
      const live = await ctx.services.auth.login(u.username, PASSWORD, 'bearer');
      const old = await ctx.services.auth.login(u.username, PASSWORD, 'bearer');
      const db = ctx.services.database.db;
      const { sha256Hex } = await import('../../src/identity/tokens.js');
      await db
        .updateTable('session')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('token_hash', '=', sha256Hex(old.token))
        .execute();
      await ctx.services.auth.sweepExpired();
      const left = await db.selectFrom('session').select('token_hash').where('user_id', '=', u.id).execute();
      assert.deepEqual(
        left.map((r) => r.token_hash),
        [sha256Hex(live.token)],
      );
      assert.equal((await ctx.services.auth.sessionActor(live.token, 'bearer'))?.kind, 'user');
    });

    test('the event log is append-only in the database itself', async () => {
      const db = ctx.services.database.db;
      const before = await db
        .selectFrom('event')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      await assert.rejects(db.updateTable('event').set({ type: 'tampered' }).execute(), /append-only/);
      await assert.rejects(db.deleteFrom('event').execute(), /append-only/);
      const afterCount = await db
        .selectFrom('event')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(afterCount.n), Number(before.n));
    });
  });
}
