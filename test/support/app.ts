import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createServices, type Services } from '../../src/container.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { type Config, loadConfig } from '../../src/platform/config.js';
import type { StorageKind } from '../../src/platform/db/database.js';
import { openTestDatabase } from './db.js';

export const PASSWORD = 'Test@Pass2026';

export interface TestContext {
  kind: StorageKind;
  services: Services;
  app: FastifyInstance;
  close(): Promise<void>;
  /** Factories (Immich-style): each creates a fresh, uniquely named record through the services. */
  newOrg(
    kind?: 'region' | 'data_bureau' | 'department' | 'operator' | 'auditor',
  ): Promise<{ id: string; code: string }>;
  newUser(orgId: string, roles?: string[]): Promise<{ id: string; username: string }>;
  /** Signs in by password and returns headers carrying the bearer token. */
  bearer(username: string, password?: string): Promise<Record<string, string>>;
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
}

let seq = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}`;

/** Services and an HTTP app over a fresh database of the given kind. */
export async function createTestContext(
  kind: StorageKind,
  overrides: Partial<Config> = {},
): Promise<TestContext> {
  const database = await openTestDatabase(kind);
  const config = loadConfig({ GOVHUB_LANG: 'en' }, { dataDir: 'memory://', ...overrides });
  const services = createServices(database, config);
  const app = await buildApp(services, { logger: false });
  await app.ready();
  const ctx: TestContext = {
    kind,
    services,
    app,
    close: async () => {
      await app.close();
      await database.close();
    },
    async newOrg(orgKind = 'department') {
      const code = unique('o');
      const org = await services.orgs.create(SYSTEM, { code, name: `机构${code}`, kind: orgKind });
      return { id: org.id, code };
    },
    async newUser(orgId, roles = []) {
      const username = unique('u');
      const user = await services.users.create(SYSTEM, {
        username,
        displayName: `用户${username}`,
        orgId,
        password: PASSWORD,
        roles: roles as never,
      });
      return { id: user.id, username };
    },
    async bearer(username, password = PASSWORD) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { username, password },
      });
      if (res.statusCode !== 200) {
        throw new Error(`login failed for ${username}: ${res.statusCode} ${res.body}`);
      }
      return { authorization: `Bearer ${res.json<{ token: string }>().token}` };
    },
    inject: (opts) => app.inject(opts),
  };
  return ctx;
}
