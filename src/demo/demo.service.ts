import type { CatalogService } from '../catalog/catalog.service.js';
import type { DatasetService } from '../datasets/dataset.service.js';
import type { SharingService } from '../sharing/sharing.service.js';
import type { AppService } from '../identity/app.service.js';
import { SYSTEM } from '../identity/actor.js';
import type { OrgService } from '../identity/org.service.js';
import type { UserService } from '../identity/user.service.js';
import { NotFoundError } from '../platform/errors.js';
import { DEMO_CATALOG, demoResourceInputs } from './demo-catalog.js';
import { seedDemoDatasets } from './demo-datasets.js';
import { type DemoGrant, seedDemoSharing } from './demo-sharing.js';
import { DEMO_APPS, DEMO_ORGS, DEMO_PASSWORD, DEMO_REGION, DEMO_USERS } from './demo-city.js';

export interface DemoReport {
  seeded: boolean;
  orgs: number;
  users: number;
  apps: number;
  resources: number;
  password: string;
  logins: Array<{ username: string; roles: string[]; org: string }>;
  /** API keys issued while seeding; shown only on the run that created them. */
  keys: Array<{ app: string; org: string; key: string }>;
  /** Grants of the demo apps (call the data API with the app's key); shown on the seeding run. */
  grants: DemoGrant[];
}

/** Seeds the demo city through the identity services, as the local operator. Safe to run twice. */
export class DemoService {
  constructor(
    private readonly deps: {
      orgs: OrgService;
      users: UserService;
      apps: AppService;
      catalog: CatalogService;
      datasets: DatasetService;
      /** Set when the store is a PostgreSQL server: the demo then links one dataset to a table there. */
      databaseUrl?: string | undefined;
      sharing: SharingService;
    },
  ) {}

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
      resources: Object.values(DEMO_CATALOG).reduce((n, l) => n + l.length, 0),
      password: DEMO_PASSWORD,
      logins,
    };
    if (await this.isSeeded()) {
      return { ...base, seeded: false, keys: [], grants: [] };
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
    const appIds = new Map<string, string>();
    for (const a of DEMO_APPS) {
      const app = await this.deps.apps.create(SYSTEM, {
        name: a.name,
        orgId: orgId(a.org),
        description: a.description,
      });
      appIds.set(a.name, app.id);
      const { secret } = await this.deps.apps.createKey(SYSTEM, app.id, { name: 'demo' });
      keys.push({ app: a.name, org: a.org, key: secret });
    }
    await this.seedCatalog(orgId);
    await seedDemoDatasets({
      catalog: this.deps.catalog,
      datasets: this.deps.datasets,
      orgId,
      databaseUrl: this.deps.databaseUrl,
    });
    const grants = await seedDemoSharing({
      catalog: this.deps.catalog,
      datasets: this.deps.datasets,
      sharing: this.deps.sharing,
      orgId,
      appId: (name) => appIds.get(name) as string,
    });
    return { ...base, seeded: true, keys, grants };
  }

  /** The catalog: every department's resources, reviewed and published; a few duties and demands. */
  private async seedCatalog(orgId: (code: string) => string): Promise<void> {
    const { catalog } = this.deps;
    for (const dept of Object.keys(DEMO_CATALOG)) {
      await catalog.seedPublished(SYSTEM, orgId(dept), demoResourceInputs(dept));
      for (const name of [
        ...demoResourceInputs(dept)
          .slice(0, 2)
          .map((i) => i.name),
        '数据质量年度报告',
      ]) {
        await catalog.createDuty(SYSTEM, {
          orgId: orgId(dept),
          name,
          basis: '成都市政务数据资源目录编制要求',
        });
      }
    }
    const demand = await catalog.createDemand(SYSTEM, {
      title: '企业开办一件事需要企业登记与纳税人登记信息',
      description: '政务服务中心办理企业开办时需核验营业执照与纳税人登记信息。',
      targetOrgId: orgId('samr'),
    });
    await catalog.answerDemand(SYSTEM, demand.id, {
      answer: '已编目并发布企业登记信息',
      resource: (await catalog.search(SYSTEM, { q: '企业登记信息', provider: orgId('samr'), pageSize: 1 }))
        .items[0]?.id,
    });
    await catalog.createDemand(SYSTEM, {
      title: '公开全市停车场实时空位数据',
      description: '市民希望在地图应用中查看停车场空位。',
      contact: '市民热线转办',
      targetOrgId: orgId('transport'),
    });
  }
}
