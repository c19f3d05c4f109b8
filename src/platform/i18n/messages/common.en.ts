import type { commonZh } from './common.zh.js';

/** 平台通用消息 / platform-wide messages (English). */
export const commonEn: Record<keyof typeof commonZh, string> = {
  'error.unauthenticated': 'Sign in or present valid credentials first',
  'error.forbidden': 'You are not allowed to do this ({permission})',
  'error.rateLimited': 'Too many requests; retry in {after}',
  'error.configInvalid': 'Invalid value for setting {name}: {value}',
  'error.configMissing': 'Missing setting {name}',
  'error.migrationFailed': 'Database migration {name} failed',
  'error.validation': 'The request does not match the expected parameters',
  'error.malformedJson': 'The request body is not valid JSON',
  'error.bodyTooLarge': 'The request body is too large',
  'error.unsupportedMediaType': 'Unsupported request content type',
  'error.badRequest': 'Malformed request',
  'error.internal': 'Internal server error; contact the administrator with the request id',
  'error.routeNotFound': 'No such endpoint: {method} {url}',
  'error.backupPostgres':
    'backup and restore work on the embedded store; for PostgreSQL use pg_dump / pg_restore',
  'error.restoreTargetNotEmpty': 'Restore target {dir} is not empty; use --force to overwrite it',
  'error.backupFileInvalid': 'Not a valid backup file: {file}',
  'error.fileNotFound': 'File not found: {file}',
  'error.dataDirInUse':
    'Data directory {dir} is in use by process {pid} ({purpose}); stop it first or use the HTTP API',
  'error.storageInitFailed': 'Could not initialise the embedded data directory {dir}',
};
