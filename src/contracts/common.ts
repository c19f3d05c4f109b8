import { Type } from 'typebox';

/** The one error envelope every endpoint answers with on failure. */
export const ErrorEnvelope = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. USER_NOT_FOUND' }),
      message: Type.String({ description: 'Human-readable message in the caller’s language' }),
      details: Type.Optional(Type.Unknown()),
    }),
    requestId: Type.String(),
  },
  { $id: 'ErrorEnvelope', description: '错误信封 / error envelope' },
);

export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

export const Ok = Type.Object({ ok: Type.Literal(true) });

/** A query-string schema: the given parameters plus `lang`, and nothing else (unknown parameters are a 400). */
export function Query<T extends Parameters<typeof Type.Object>[0]>(properties: T) {
  return Type.Object(
    { ...properties, lang: Type.Optional(Type.String({ maxLength: 10, description: 'zh-CN | en' })) },
    { additionalProperties: false },
  );
}

/** Response entries for the given error statuses, each the one error envelope (for route schemas). */
export function errorResponses(...codes: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(codes.map((c) => [c, { $ref: 'ErrorEnvelope#' }]));
}
