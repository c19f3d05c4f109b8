import { type Static, Type } from 'typebox';
import { Query } from './common.js';

/**
 * The catalog (政务数据目录) contract: GB/T 21063 resources and their information items.
 * Code-list fields are plain strings here and are checked by the catalog service against the code lists
 * (src/catalog/code-lists.ts), so that every wrong field is reported at once with its path in `details`.
 */
const Str = (max = 200) => Type.String({ maxLength: max });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const STATUSES = ['draft', 'submitted', 'approved', 'published', 'deprecated'] as const;
export const ShareTypeValues = ['unconditional', 'conditional', 'none'] as const;

const ShareType = Type.Enum(ShareTypeValues, { description: 'unconditional | conditional | none' });
const Level = Type.Enum(['core', 'important', 'general'] as const);
const DataType = Type.Enum(['C', 'N', 'Y', 'D', 'T', 'L', 'M', 'G', 'B', 'I', 'F'] as const);

export const Item = Type.Object({
  name: Type.String(),
  dataType: DataType,
  length: Type.Optional(Nullable(Type.Integer())),
  description: Type.Optional(Nullable(Type.String())),
  level: Level,
  piiKind: Nullable(Type.String()),
  masking: Nullable(Type.String()),
  shareType: ShareType,
  openType: ShareType,
  notSharedReason: Type.Optional(Nullable(Type.String())),
  sourceOrgId: Type.Optional(Nullable(Type.String({ description: '数源部门 (defaults to the provider)' }))),
});
export type ItemDto = Static<typeof Item>;

export const Classification = Type.Object({
  category: Type.String({ description: '类: 1 基础 | 2 主题 | 3 部门' }),
  item: Type.String({ description: '项 (2 digits)' }),
  catalog: Type.String({ description: '目 (3 digits)' }),
  detail: Type.Optional(Type.String({ description: '细目 (free width)' })),
});
export type ClassificationDto = Static<typeof Classification>;

export const Format = Type.Object({
  category: Type.String({
    description: 'file | spreadsheet | database | image | media | selfdescribing | api',
  }),
  type: Type.String({ description: 'e.g. xlsx, dm, rest' }),
});

export const Deprecation = Type.Object({
  reason: Type.String(),
  successorCode: Nullable(Type.String()),
  at: Type.String({ format: 'date-time' }),
});

export const Resource = Type.Object({
  id: Type.String(),
  code: Type.String({ description: '信息资源代码 前段码/后段码' }),
  name: Type.String(),
  classification: Classification,
  providerOrgId: Type.String(),
  providerCode: Type.String(),
  providerName: Type.String(),
  abstract: Type.String(),
  format: Format,
  items: Type.Array(Item),
  shareType: ShareType,
  shareCondition: Nullable(Type.String()),
  shareMode: Type.String(),
  shareModeType: Nullable(Type.String()),
  openType: ShareType,
  openCondition: Nullable(Type.String()),
  updateCycle: Type.String(),
  level: Level,
  publishDate: Nullable(Type.String({ description: 'YYYY-MM-DD of the first publication' })),
  relatedCodes: Type.Array(Type.String()),
  extensions: Type.Record(Type.String(), Type.String()),
  status: Type.Enum(STATUSES),
  version: Type.Integer({ description: 'latest published version (0 = never published)' }),
  deprecation: Nullable(Deprecation),
  counts: Type.Object({ search: Type.Integer(), view: Type.Integer(), request: Type.Integer() }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type ResourceDto = Static<typeof Resource>;

const ItemInputT = Type.Object(
  {
    name: Str(200),
    dataType: Str(10),
    length: Type.Optional(Nullable(Type.Integer())),
    description: Type.Optional(Nullable(Str(2000))),
    level: Type.Optional(Str(20)),
    piiKind: Type.Optional(Nullable(Str(40))),
    masking: Type.Optional(Nullable(Str(40))),
    shareType: Type.Optional(Str(20)),
    openType: Type.Optional(Str(20)),
    notSharedReason: Type.Optional(Nullable(Str(2000))),
    sourceOrgId: Type.Optional(Nullable(Str(100))),
  },
  { additionalProperties: false },
);
export const ItemInput = ItemInputT;
export type ItemInputDto = Static<typeof ItemInputT>;

const fields = {
  name: Str(200),
  classification: Type.Object(
    {
      category: Str(10),
      item: Str(10),
      catalog: Str(10),
      detail: Type.Optional(Str(20)),
    },
    { additionalProperties: false },
  ),
  seq: Type.Optional(Str(20)),
  providerOrgId: Type.Optional(Str(100)),
  providerCode: Type.Optional(Str(100)),
  abstract: Str(4000),
  format: Type.Object({ category: Str(30), type: Str(30) }, { additionalProperties: false }),
  items: Type.Array(ItemInputT, { maxItems: 500 }),
  shareType: Str(20),
  shareCondition: Type.Optional(Nullable(Str(2000))),
  shareMode: Type.Optional(Str(20)),
  shareModeType: Type.Optional(Nullable(Str(20))),
  openType: Str(20),
  openCondition: Type.Optional(Nullable(Str(2000))),
  updateCycle: Str(20),
  level: Type.Optional(Str(20)),
  relatedCodes: Type.Optional(Type.Array(Str(100), { maxItems: 50 })),
  extensions: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Str(2000))),
};

export const ResourceCreate = Type.Object(fields, { additionalProperties: false });
export type ResourceCreateInput = Static<typeof ResourceCreate>;

export const ResourceUpdate = Type.Object(
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof typeof fields]: ReturnType<typeof Type.Optional<(typeof fields)[K]>>;
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ResourceUpdateInput = Partial<ResourceCreateInput>;

export const Comment = Type.Object(
  { comment: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export const RequiredComment = Type.Object(
  { comment: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export const DeprecateBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    successor: Type.Optional(Type.String({ maxLength: 100, description: 'code or id of the successor' })),
  },
  { additionalProperties: false },
);

export const Review = Type.Object({
  action: Type.String({
    description: 'created | updated | submitted | approved | rejected | published | deprecated',
  }),
  comment: Nullable(Type.String()),
  actorId: Nullable(Type.String()),
  version: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
});
export const Change = Type.Object({
  field: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
});
export type ChangeDto = Static<typeof Change>;
export const Version = Type.Object({
  version: Type.Integer(),
  publishedAt: Type.String({ format: 'date-time' }),
  changes: Type.Array(Change),
});
export const History = Type.Object({ reviews: Type.Array(Review), versions: Type.Array(Version) });
export const VersionSnapshot = Type.Object({ version: Type.Integer(), resource: Resource });

export const ResourceSummary = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  abstract: Type.String(),
  providerOrgId: Type.String(),
  providerName: Type.String(),
  status: Type.Enum(STATUSES),
  version: Type.Integer(),
  shareType: Type.String(),
  openType: Type.String(),
  formatCategory: Type.String(),
  updateCycle: Type.String(),
  level: Type.String(),
  itemCount: Type.Integer(),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type ResourceSummaryDto = Static<typeof ResourceSummary>;

export const FACETS = [
  'provider',
  'category',
  'shareType',
  'openType',
  'format',
  'updateCycle',
  'level',
] as const;
export type FacetName = (typeof FACETS)[number];

const FacetBucket = Type.Object({ value: Type.String(), label: Type.String(), count: Type.Integer() });
export const SearchResult = Type.Object({
  total: Type.Integer(),
  totalExact: Type.Boolean({
    description:
      'false when the search matched more resources than it counts (2,000): total is then a lower bound ' +
      '(“2,000+”), facets are counted and relevance ranked over those first matches',
  }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  match: Type.Union([Type.Literal('all'), Type.Literal('partial'), Type.Literal('none')], {
    description: 'all: every query term matched; partial: typo-tolerant fallback (some terms)',
  }),
  items: Type.Array(ResourceSummary),
  facets: Type.Record(Type.String(), Type.Array(FacetBucket)),
});
export type SearchResultDto = Static<typeof SearchResult>;

export const SearchQuery = Query({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  provider: Type.Optional(Type.String({ maxLength: 100 })),
  category: Type.Optional(Type.String({ maxLength: 10 })),
  shareType: Type.Optional(Type.String({ maxLength: 20 })),
  openType: Type.Optional(Type.String({ maxLength: 20 })),
  format: Type.Optional(Type.String({ maxLength: 30 })),
  updateCycle: Type.Optional(Type.String({ maxLength: 20 })),
  level: Type.Optional(Type.String({ maxLength: 20 })),
  status: Type.Optional(
    Type.String({ maxLength: 20, description: 'editors and the bureau: draft, submitted…' }),
  ),
  sort: Type.Optional(
    Type.Enum(['relevance', 'updated', 'name', 'views', 'code'] as const, { default: 'relevance' }),
  ),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  facets: Type.Optional(Type.Boolean({ description: 'return facet counts (default true)' })),
});
export type SearchQueryInput = Static<typeof SearchQuery>;

/** 责任清单 / duty list: what a department must catalog. */
export const Duty = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  name: Type.String(),
  basis: Nullable(Type.String()),
  dueDate: Nullable(Type.String()),
  resourceId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
export type DutyDto = Static<typeof Duty>;
export const DutyCreate = Type.Object(
  {
    orgId: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    basis: Type.Optional(Type.String({ maxLength: 2000 })),
    dueDate: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);
export type DutyCreateInput = Static<typeof DutyCreate>;
export const Coverage = Type.Object({
  orgId: Type.String(),
  orgName: Type.String(),
  duties: Type.Integer(),
  covered: Type.Integer(),
  missing: Type.Array(Type.String()),
});

/** 需求清单 / demand list. */
export const Demand = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  requesterOrgId: Nullable(Type.String()),
  contact: Nullable(Type.String()),
  targetOrgId: Nullable(Type.String()),
  status: Type.Enum(['open', 'answered', 'fulfilled'] as const),
  answer: Nullable(Type.String()),
  resourceId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
export type DemandDto = Static<typeof Demand>;
export const DemandCreate = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    contact: Type.Optional(Type.String({ maxLength: 200 })),
    targetOrgId: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type DemandCreateInput = Static<typeof DemandCreate>;
export const DemandAnswer = Type.Object(
  {
    answer: Type.String({ minLength: 1, maxLength: 4000 }),
    resource: Type.Optional(
      Type.String({ maxLength: 100, description: 'id or code of the resource that fulfils it' }),
    ),
  },
  { additionalProperties: false },
);
export type DemandAnswerInput = Static<typeof DemandAnswer>;

/** 负面清单 / negative list: items that are not shared, with their legal basis. */
export const NegativeEntry = Type.Object({
  resourceId: Type.String(),
  resourceCode: Type.String(),
  resourceName: Type.String(),
  providerName: Type.String(),
  item: Nullable(Type.String({ description: 'null: the whole resource is not shared' })),
  basis: Type.String(),
});
export type NegativeEntryDto = Static<typeof NegativeEntry>;

export const ImportResult = Type.Object({
  created: Type.Integer(),
  codes: Type.Array(Type.String()),
});
