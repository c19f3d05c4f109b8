import { type Static, Type } from 'typebox';

import { ORG_KINDS, ROLES } from '../identity/roles.js';

const Role = Type.Enum(ROLES, {
  description: 'sysadmin | secadmin | auditor | catalog_editor | approver | consumer',
});
const OrgKind = Type.Enum(ORG_KINDS, {
  description: 'region | data_bureau | department | operator | auditor',
});
const Status = Type.Enum(['active', 'disabled'] as const);
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const Org = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  nameEn: Type.Union([Type.String(), Type.Null()]),
  kind: OrgKind,
  parentId: Type.Union([Type.String(), Type.Null()]),
  regionCode: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type OrgDto = Static<typeof Org>;

export const OrgCreate = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    name: Name,
    nameEn: Type.Optional(Name),
    kind: OrgKind,
    parentId: Type.Optional(Type.String()),
    regionCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}([0-9]{3})?([0-9]{3})?$' })),
  },
  { additionalProperties: false },
);
export type OrgCreateInput = Static<typeof OrgCreate>;

export const OrgUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    nameEn: Type.Optional(Type.Union([Name, Type.Null()])),
    kind: Type.Optional(OrgKind),
    parentId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    regionCode: Type.Optional(
      Type.Union([Type.String({ pattern: '^[0-9]{6}([0-9]{3})?([0-9]{3})?$' }), Type.Null()]),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type OrgUpdateInput = Static<typeof OrgUpdate>;

export const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  orgId: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  status: Status,
  roles: Type.Array(Role),
  locked: Type.Boolean(),
  sso: Type.Boolean({ description: 'linked to a single sign-on identity' }),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type UserDto = Static<typeof User>;

const Username = Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$' });

export const UserCreate = Type.Object(
  {
    username: Username,
    displayName: Name,
    orgId: Type.String({ minLength: 1 }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 200 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    roles: Type.Optional(Type.Array(Role, { uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type UserCreateInput = Static<typeof UserCreate>;

export const UserUpdate = Type.Object(
  {
    displayName: Type.Optional(Name),
    orgId: Type.Optional(Type.String({ minLength: 1 })),
    email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 200 }), Type.Null()])),
    status: Type.Optional(Status),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UserUpdateInput = Static<typeof UserUpdate>;

export const RolesBody = Type.Object(
  { roles: Type.Array(Role, { uniqueItems: true }) },
  { additionalProperties: false },
);
export const PasswordBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

export const App = Type.Object({
  id: Type.String(),
  name: Type.String(),
  orgId: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Role),
  status: Status,
  createdAt: Type.String({ format: 'date-time' }),
});
export type AppDto = Static<typeof App>;

export const AppCreate = Type.Object(
  {
    name: Name,
    orgId: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    roles: Type.Optional(Type.Array(Role, { uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type AppCreateInput = Static<typeof AppCreate>;

export const AppUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    status: Type.Optional(Status),
    roles: Type.Optional(Type.Array(Role, { uniqueItems: true })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type AppUpdateInput = Static<typeof AppUpdate>;

export const ApiKey = Type.Object({
  id: Type.String(),
  appId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ApiKeyDto = Static<typeof ApiKey>;

export const ApiKeyCreate = Type.Object(
  {
    name: Name,
    scopes: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { uniqueItems: true, maxItems: 100 })),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type ApiKeyCreateInput = Static<typeof ApiKeyCreate>;

export const ApiKeyCreated = Type.Object({
  key: ApiKey,
  secret: Type.String({ description: 'The API key itself. Shown once; only its hash is stored.' }),
});

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const Me = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('app')]),
  id: Type.String(),
  orgId: Type.String(),
  roles: Type.Array(Role),
  permissions: Type.Array(Type.String()),
  user: Type.Optional(User),
  csrfToken: Type.Optional(Type.String()),
});

export const LoginResult = Type.Object({
  user: User,
  csrfToken: Type.String({ description: 'send as x-csrf-token on unsafe requests made with the cookie' }),
  token: Type.Optional(Type.String({ description: 'bearer token (only when ?token=true)' })),
  expiresAt: Type.String({ format: 'date-time' }),
});
