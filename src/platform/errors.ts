/**
 * Domain errors. Services and pure rules throw these; one HTTP error handler
 * (platform/http/error-handler.ts) and the CLI map them to responses and exit codes.
 * Messages are i18n keys resolved at the edge so that the same error reads in Chinese or English.
 */
export type ErrorDetails = Record<string, unknown> | Array<Record<string, unknown>>;

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  /** i18n message key with its parameters; the edge renders it in the caller's language. */
  readonly messageKey: string;
  readonly params: Record<string, string | number>;
  readonly details: ErrorDetails | undefined;

  constructor(
    status: number,
    code: string,
    messageKey: string,
    opts: { params?: Record<string, string | number>; details?: ErrorDetails; cause?: unknown } = {},
  ) {
    super(`${code}: ${messageKey}`, { cause: opts.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.messageKey = messageKey;
    this.params = opts.params ?? {};
    this.details = opts.details;
  }
}

type Opts = ConstructorParameters<typeof AppError>[3];

export class ValidationError extends AppError {
  constructor(code: string, messageKey: string, opts?: Opts) {
    super(400, code, messageKey, opts);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(code = 'UNAUTHENTICATED', messageKey = 'error.unauthenticated', opts?: Opts) {
    super(401, code, messageKey, opts);
  }
}
export class ForbiddenError extends AppError {
  constructor(code = 'FORBIDDEN', messageKey = 'error.forbidden', opts?: Opts) {
    super(403, code, messageKey, opts);
  }
}
export class NotFoundError extends AppError {
  constructor(code: string, messageKey: string, opts?: Opts) {
    super(404, code, messageKey, opts);
  }
}
export class ConflictError extends AppError {
  constructor(code: string, messageKey: string, opts?: Opts) {
    super(409, code, messageKey, opts);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(code = 'RATE_LIMITED', messageKey = 'error.rateLimited', opts?: Opts) {
    super(429, code, messageKey, opts);
  }
}
