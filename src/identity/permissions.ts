import type { OrgKind, Role } from './roles.js';

/**
 * The exhaustive permission list (pure). Each permission names the kind of id it is checked against;
 * `none` permissions are checked without ids. Later capabilities add theirs here so that one table
 * says who may do what.
 */
export const PERMISSIONS = {
  'org.read': { target: 'none', zh: '查看组织机构', en: 'View organizations' },
  'org.create': { target: 'none', zh: '创建组织机构', en: 'Create organizations' },
  'org.update': { target: 'org', zh: '修改组织机构', en: 'Update organizations' },
  'user.read': { target: 'user', zh: '查看用户', en: 'View users' },
  'user.create': { target: 'org', zh: '创建用户', en: 'Create users in an organization' },
  'user.update': { target: 'user', zh: '修改用户', en: 'Update users' },
  'user.roles.assign': { target: 'user', zh: '分配角色', en: 'Assign roles' },
  'user.credentials.manage': { target: 'user', zh: '重置密码与解锁', en: 'Reset passwords and unlock' },
  'app.read': { target: 'app', zh: '查看应用', en: 'View apps' },
  'app.create': { target: 'org', zh: '创建应用', en: 'Create apps in an organization' },
  'app.update': { target: 'app', zh: '修改应用', en: 'Update apps' },
  'key.manage': { target: 'app', zh: '管理应用密钥', en: 'Issue, list and revoke API keys' },
  'event.read': { target: 'none', zh: '查看审计事件', en: 'Read audit events' },
  'event.redact': { target: 'none', zh: '擦除事件中的个人信息', en: 'Erase personal data from events' },
  'ledger.keys.manage': {
    target: 'none',
    zh: '管理账本签名密钥与见证',
    en: 'Manage ledger signing keys and witnessing',
  },
  'system.read': { target: 'none', zh: '查看系统状态', en: 'Read system status' },
  'dataset.read': { target: 'none', zh: '查看数据集与数据', en: 'View datasets and their rows' },
  'dataset.manage': {
    target: 'org',
    zh: '导入、填报与挂接数据集',
    en: 'Import, fill in and link datasets of an organization',
  },
  'catalog.edit': { target: 'org', zh: '编目（本单位资源）', en: 'Catalog the organization’s resources' },
  'catalog.review': {
    target: 'none',
    orgKinds: ['data_bureau'],
    zh: '审核与发布目录（数据局）',
    en: 'Review and publish catalog resources (data bureau)',
  },
  'share.read': {
    target: 'none',
    zh: '查看共享申请、授权与异议（本单位作为申请方或提供方）',
    en: 'View share requests, grants and objections (as requester or provider)',
  },
  'share.request': { target: 'org', zh: '提出共享申请与数据异议', en: 'Request data and report objections' },
  'share.decide': {
    target: 'org',
    zh: '审批共享申请、管理授权、处理异议（提供方；数据局协调）',
    en: 'Decide share requests, manage grants, handle objections (provider; bureau coordinates)',
  },
  'data.use': {
    target: 'none',
    zh: '按授权调用受控数据接口（授权主体须为本单位或本应用）',
    en: 'Call the governed data API under a grant (whose subject is the caller’s organization or app)',
  },
  'stats.read': {
    target: 'none',
    zh: '查看运行统计（数据局、系统管理员、审计员看全区域，部门看本单位）',
    en: 'View operating statistics (bureau, system administrator and auditor: the region; a department: its own)',
  },
} as const satisfies Record<
  string,
  { target: PermissionTarget; zh: string; en: string; orgKinds?: readonly OrgKind[] }
>;

export type PermissionTarget = 'none' | 'org' | 'user' | 'app';

/**
 * Permissions only a person may exercise: an app's API key can never manage apps, keys or people,
 * so a leaked key cannot mint itself successors.
 */
export const PERSON_ONLY: ReadonlySet<Permission> = new Set<Permission>([
  'org.create',
  'org.update',
  'user.create',
  'user.update',
  'user.roles.assign',
  'user.credentials.manage',
  'app.create',
  'app.update',
  'key.manage',
  'event.redact',
  'ledger.keys.manage',
]);
export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

/** How far a role's permission reaches: everything, the holder's own organization, or only themselves. */
export type Reach = 'all' | 'own_org';

/** Role → permission → reach. A permission absent from a role's map is not granted to it. */
export const ROLE_PERMISSIONS: Record<Role, Partial<Record<Permission, Reach>>> = {
  sysadmin: {
    'org.read': 'all',
    'org.create': 'all',
    'org.update': 'all',
    'user.read': 'all',
    'user.create': 'all',
    'user.update': 'all',
    'app.read': 'all',
    'app.create': 'all',
    'app.update': 'all',
    'system.read': 'all',
    'dataset.read': 'all',
    'share.read': 'all',
    'stats.read': 'all',
  },
  secadmin: {
    'org.read': 'all',
    'user.read': 'all',
    'user.roles.assign': 'all',
    'user.credentials.manage': 'all',
    'app.read': 'all',
    'key.manage': 'all',
    'event.redact': 'all',
    'ledger.keys.manage': 'all',
  },
  auditor: {
    'org.read': 'all',
    'user.read': 'all',
    'app.read': 'all',
    'event.read': 'all',
    'dataset.read': 'all',
    'share.read': 'all',
    'stats.read': 'all',
  },
  catalog_editor: {
    'org.read': 'all',
    'catalog.edit': 'own_org',
    'catalog.review': 'all',
    'dataset.read': 'all',
    'dataset.manage': 'own_org',
    'stats.read': 'own_org',
  },
  approver: {
    'org.read': 'all',
    'user.read': 'own_org',
    'catalog.review': 'all',
    'share.read': 'own_org',
    'share.decide': 'own_org',
    'stats.read': 'own_org',
  },
  consumer: {
    'org.read': 'all',
    'app.read': 'own_org',
    'app.create': 'own_org',
    'app.update': 'own_org',
    'key.manage': 'own_org',
    'share.read': 'own_org',
    'share.request': 'own_org',
    'data.use': 'own_org',
    'stats.read': 'own_org',
  },
};

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

/** The widest reach any of the roles gives for a permission, or undefined when none grants it. */
export function reachOf(roles: readonly Role[], permission: Permission): Reach | undefined {
  let best: Reach | undefined;
  for (const role of roles) {
    const reach = ROLE_PERMISSIONS[role][permission];
    if (reach === 'all') {
      return 'all';
    }
    best = reach ?? best;
  }
  return best;
}

/** Organization kinds a permission is limited to (the service checks it too), or undefined for any kind. */
export function orgKindsOf(permission: Permission): readonly OrgKind[] | undefined {
  const def = PERMISSIONS[permission];
  return 'orgKinds' in def ? def.orgKinds : undefined;
}

/**
 * Every permission an actor holds at any reach (for the UI to show what a signed-in user can do). With
 * `orgKind`, permissions limited to other kinds of organization (catalog review is the data bureau's) are left
 * out, so a department's approver is not shown a review page the service would refuse.
 */
export function permissionsHeld(
  roles: readonly Role[],
  scopes?: readonly string[],
  orgKind?: OrgKind,
): Permission[] {
  // Few distinct role/scope/kind sets exist, and apps ask on every call: remember each answer.
  const key = `${roles.join(',')}|${scopes ? scopes.join(',') : '*'}|${orgKind ?? ''}`;
  let held = heldCache.get(key);
  if (!held) {
    held = PERMISSION_NAMES.filter(
      (p) =>
        reachOf(roles, p) !== undefined &&
        (!scopes || (scopes.includes(p) && !PERSON_ONLY.has(p))) &&
        (orgKind === undefined || (orgKindsOf(p)?.includes(orgKind) ?? true)),
    );
    if (heldCache.size < 1000) {
      heldCache.set(key, held);
    }
  }
  return [...held];
}
const heldCache = new Map<string, Permission[]>();
