import { Type } from 'typebox';
import { Query } from './common.js';

/** HTTP schemas of aggregation (数据汇聚): datasets, loads, uploads, fill-in. */

const Str = (max = 200) => Type.String({ minLength: 1, maxLength: max });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const DatasetItem = Type.Object({
  name: Type.String(),
  dataType: Type.String(),
  length: Type.Optional(Type.Integer()),
  level: Type.String(),
  piiKind: Nullable(Type.String()),
  column: Type.String(),
});

export const Dataset = Type.Object({
  id: Type.String(),
  resourceId: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('hosted'), Type.Literal('linked')]),
  orgId: Type.String(),
  items: Type.Array(DatasetItem),
  currentVersion: Type.Integer(),
  sourceId: Nullable(Type.String()),
  keyItems: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const DatasetListQuery = Query({
  resource: Type.String({ minLength: 1, maxLength: 100, description: 'resource id or code' }),
});

export const DatasetVersion = Type.Object({
  version: Type.Integer(),
  rowCount: Type.Integer(),
  loadId: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const DatasetLoad = Type.Object({
  id: Type.String(),
  mode: Type.String(),
  onError: Type.String(),
  source: Type.String(),
  status: Type.String(),
  rowsRead: Type.Integer(),
  rowsLoaded: Type.Integer(),
  rowsRejected: Type.Integer(),
  version: Nullable(Type.Integer()),
  startedAt: Type.String({ format: 'date-time' }),
});

export const QuarantineRow = Type.Object({
  id: Type.Union([Type.String(), Type.Integer()]),
  loadId: Type.String(),
  row: Type.Integer(),
  values: Type.Record(Type.String(), Nullable(Type.String())),
  errors: Type.Array(Type.Object({ column: Type.String(), code: Type.String() })),
});

const Mode = Type.Union([Type.Literal('replace'), Type.Literal('append'), Type.Literal('upsert')]);
const OnError = Type.Union([Type.Literal('reject'), Type.Literal('quarantine')]);
const Encoding = Type.Union([Type.Literal('utf-8'), Type.Literal('gbk'), Type.Literal('gb18030')]);

export const UploadCreateBody = Type.Object(
  {
    fileName: Type.String({ minLength: 1, maxLength: 255, pattern: '\\.(csv|xlsx|json|ndjson|jsonl|txt)$' }),
    size: Type.Integer({ minimum: 1 }),
    resource: Type.Optional(Str(100)),
    newResource: Type.Optional(
      Type.Object({ name: Str(200), provider: Str(100) }, { additionalProperties: false }),
    ),
    format: Type.Optional(Type.String({ maxLength: 20 })),
    encoding: Type.Optional(Encoding),
  },
  { additionalProperties: false },
);

export const Upload = Type.Object({
  id: Type.String(),
  fileName: Type.String(),
  size: Type.Integer(),
  received: Type.Integer({ description: 'bytes received so far: the offset to resume from' }),
  complete: Type.Boolean(),
});

export const UploadCommitBody = Type.Object(
  {
    mode: Type.Optional(Mode),
    keys: Type.Optional(Type.Array(Str(100), { maxItems: 20 })),
    onError: Type.Optional(OnError),
  },
  { additionalProperties: false },
);

export const RowError = Type.Object({
  row: Type.Integer(),
  column: Type.String(),
  code: Type.String(),
  message: Type.String(),
});

export const ImportReport = Type.Object({
  status: Type.Union([Type.Literal('loaded'), Type.Literal('rejected')]),
  datasetId: Type.String(),
  resourceId: Type.String(),
  resourceCode: Type.String(),
  loadId: Type.String(),
  version: Nullable(Type.Integer()),
  format: Type.String(),
  encoding: Nullable(Type.String()),
  rowsRead: Type.Integer(),
  rowsLoaded: Type.Integer(),
  rowsRejected: Type.Integer(),
  errors: Type.Array(RowError),
});

const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });

export const Form = Type.Object({
  datasetId: Type.String(),
  name: Type.String(),
  fields: Type.Array(
    Type.Object({
      name: Type.String(),
      dataType: Type.String(),
      length: Nullable(Type.Integer()),
      required: Type.Boolean(),
      piiKind: Nullable(Type.String()),
      format: Nullable(Type.String()),
      label: Bilingual,
      hint: Nullable(Bilingual),
    }),
  ),
});

export const RowsBody = Type.Object(
  {
    rows: Type.Array(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
      {
        minItems: 1,
        maxItems: 1000,
      },
    ),
  },
  { additionalProperties: false },
);

export const RowsResult = Type.Object({ rowsLoaded: Type.Integer(), resolved: Type.Integer() });

export const ResubmitBody = Type.Object(
  {
    rows: Type.Array(
      Type.Object(
        {
          id: Type.Integer({ minimum: 1, description: 'the quarantined row' }),
          values: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()]), {
            description: 'corrected values by item name (others kept as quarantined)',
          }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

export const AdviceQuery = Query({
  id: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'one dataset; else every linked one' }),
  ),
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, description: 'window, default 30' })),
});

export const Advice = Type.Object({
  datasetId: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  orgId: Type.String(),
  reads: Type.Integer(),
  consumers: Type.Integer(),
  rows: Type.Integer(),
  bytes: Type.Integer(),
  days: Type.Integer(),
  recommendation: Type.Union([
    Type.Literal('host'),
    Type.Literal('keep_linked'),
    Type.Literal('already_hosted'),
  ]),
  score: Type.Number(),
  reason: Bilingual,
});

export const UploadPreviewBody = Type.Object(
  {
    encoding: Type.Optional(Encoding),
    resource: Type.Optional(Str(100)),
    rows: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'rows to show, default 20' })),
  },
  { additionalProperties: false },
);

const InferredItem = Type.Object({
  name: Type.String(),
  dataType: Type.String(),
  length: Type.Optional(Type.Integer()),
  level: Type.String(),
  piiKind: Nullable(Type.String()),
});

export const UploadPreview = Type.Object({
  uploadId: Type.String(),
  fileName: Type.String(),
  format: Type.String(),
  encoding: Nullable(Type.String({ description: 'the encoding the import will use (CSV)' })),
  detectedEncoding: Nullable(Type.String({ description: 'what the first bytes look like (CSV)' })),
  header: Type.Array(Type.String()),
  firstDataRow: Nullable(Type.Integer({ description: 'row number of the first data row in the file' })),
  rows: Type.Array(Type.Object({ row: Type.Integer(), values: Type.Array(Nullable(Type.String())) })),
  rowsScanned: Type.Integer(),
  complete: Type.Boolean({ description: 'whether the suggestions saw the whole file' }),
  items: Type.Array(InferredItem),
  newResource: Nullable(Type.Object({ name: Type.String(), provider: Type.String() })),
  target: Nullable(
    Type.Object({
      resourceId: Type.String(),
      resourceCode: Type.String(),
      resourceName: Type.String(),
      mapping: Type.Array(
        Type.Object({
          item: Type.String(),
          dataType: Type.String(),
          level: Type.String(),
          piiKind: Nullable(Type.String()),
          column: Nullable(Type.String()),
          required: Type.Boolean(),
        }),
      ),
      unmappedColumns: Type.Array(Type.String()),
    }),
  ),
});
