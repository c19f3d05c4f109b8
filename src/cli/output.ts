import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { AppError, ValidationError } from '../platform/errors.js';
import { type Lang, parseLang, t } from '../platform/i18n/i18n.js';

export const lang: Lang = parseLang(process.env.GOVHUB_LANG);

/** Picks the Chinese or English text for CLI help and labels. */
export const L = (zh: string, en: string): string => (lang === 'en' ? en : zh);

export const msg = (key: string, params?: Record<string, string | number>): string => t(lang, key, params);

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints rows as an aligned text table (wide CJK characters count double). */
export function printTable(rows: Array<Record<string, unknown>>, columns: string[]): void {
  if (rows.length === 0) {
    process.stdout.write(`${msg('cli.none')}\n`);
    return;
  }
  const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v);
  const widths = columns.map((c) => Math.max(width(c), ...rows.map((r) => width(cell(r[c])))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v + ' '.repeat((widths[i] ?? 0) - width(v)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns)}\n`);
  for (const r of rows) {
    process.stdout.write(`${line(columns.map((c) => cell(r[c])))}\n`);
  }
}

/** Checks CLI input against the same TypeBox schema the HTTP API uses. */
export function validateInput<T extends TSchema>(schema: T, value: unknown): Static<T> {
  if (!Value.Check(schema, value)) {
    const details = Value.Errors(schema, value).map((e) => ({
      field: (e as { instancePath?: string }).instancePath?.replace(/^\//, '') ?? '',
      message: e.message,
    }));
    throw new ValidationError('VALIDATION_FAILED', 'error.validation', { details });
  }
  return value as Static<T>;
}

/** Renders an error for the terminal (or as the JSON envelope with --json) and sets the exit code. */
export function reportError(error: unknown, json: boolean): void {
  if (error instanceof AppError) {
    const message = t(lang, error.messageKey, error.params);
    if (json) {
      printJson({ error: { code: error.code, message, details: error.details } });
    } else {
      process.stderr.write(`${msg('cli.error')} [${error.code}]: ${message}\n`);
      if (error.details) {
        process.stderr.write(`${JSON.stringify(error.details, null, 2)}\n`);
      }
    }
    process.exitCode = 1;
    return;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${msg('cli.error')}: ${text}\n`);
  process.exitCode = 1;
}
