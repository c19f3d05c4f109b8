import type { AppService } from '../identity/app.service.js';
import { SYSTEM } from '../identity/actor.js';
import type { OrgService } from '../identity/org.service.js';
import type { UserService } from '../identity/user.service.js';
import { NotFoundError } from '../platform/errors.js';
import { DEMO_APPS, DEMO_ORGS, DEMO_PASSWORD, DEMO_REGION, DEMO_USERS } from './demo-city.js';

export interface DemoReport {
  seeded: boolean;
  orgs: number;
  users: number;
  apps: number;
  password: string;
  logins: Array<{ username: string; roles: string[]; org: string }>;
  /** API keys issued while seeding; shown only on the run that created them. */
  keys: Array<{ app: string; org: string; key: string }>;
}

/** Seeds the demo city through the identity services, as the local operator. Safe to run twice. */
export class DemoService {
  constructor(private readonly deps: { orgs: OrgService; users: UserService; apps: AppService }) {}

  async isSeeded(): Promise<boolean> {
    try {
      await this.deps.orgs.get(SYSTEM, DEMO_REGION);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) {
        return false;
      }
      throw e;
    }
  }

  async seed(): Promise<DemoReport> {
    const logins = DEMO_USERS.map((u) => ({ username: u.username, roles: u.roles, org: u.org }));
    const base = {
      orgs: DEMO_ORGS.length,
      users: DEMO_USERS.length,
      apps: DEMO_APPS.length,
      password: DEMO_PASSWORD,
      logins,
    };
    if (await this.isSeeded()) {
      return { ...base, seeded: false, keys: [] };
    }
    const ids = new Map<string, string>();
    for (const o of DEMO_ORGS) {
      const parentId = o.parent ? ids.get(o.parent) : undefined;
      const org = await this.deps.orgs.create(SYSTEM, {
        code: o.code,
        name: o.name,
        nameEn: o.nameEn,
        kind: o.kind,
        ...(parentId ? { parentId } : {}),
        ...(o.regionCode ? { regionCode: o.regionCode } : {}),
      });
      ids.set(o.code, org.id);
    }
    const orgId = (code: string) => ids.get(code) as string;
    for (const u of DEMO_USERS) {
      await this.deps.users.create(SYSTEM, {
        username: u.username,
        displayName: u.displayName,
        orgId: orgId(u.org),
        password: DEMO_PASSWORD,
        roles: u.roles,
      });
    }
    const keys: DemoReport['keys'] = [];
    for (const a of DEMO_APPS) {
      const app = await this.deps.apps.create(SYSTEM, {
        name: a.name,
        orgId: orgId(a.org),
        description: a.description,
      });
      const { secret } = await this.deps.apps.createKey(SYSTEM, app.id, { name: 'demo' });
      keys.push({ app: a.name, org: a.org, key: secret });
    }
    return { ...base, seeded: true, keys };
  }
}
