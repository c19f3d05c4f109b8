/**
 * Opens an import file as a table: a header and a stream of rows with their row numbers as in the
 * file (CSV: physical line, header = 1; XLSX: the sheet's row number; NDJSON: line; JSON: element
 * index + 1). Formats: CSV (UTF-8 ± BOM, GBK, GB18030), XLSX, JSON array, NDJSON.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TextDecoder } from 'node:util';
import ExcelJS from 'exceljs';
import { ValidationError } from '../platform/errors.js';
import type { CsvEncoding } from './csv.js';
import { type ByteBatch, recordValues, scanCsv, utf8Chunks } from './csv-bytes.js';

export type FileFormat = 'csv' | 'xlsx' | 'json' | 'ndjson';

export interface TableRow {
  row: number;
  values: Array<string | null>;
}

export interface OpenedTable {
  format: FileFormat;
  encoding: CsvEncoding | null;
  header: string[];
  /** Batches of rows, header and footers excluded. */
  rows: AsyncIterable<TableRow[]>;
  /** CSV: the same records as UTF-8 byte ranges (read either these or `rows`, once). */
  bytes?: AsyncIterable<ByteBatch>;
}

export function formatOf(file: string, override?: string): FileFormat {
  const f = (override ?? path.extname(file).slice(1)).toLowerCase();
  if (f === 'csv' || f === 'txt' || f === 'tsv') {
    return 'csv';
  }
  if (f === 'xlsx' || f === 'json' || f === 'ndjson') {
    return f;
  }
  if (f === 'jsonl') {
    return 'ndjson';
  }
  throw new ValidationError('FILE_FORMAT_UNSUPPORTED', 'error.fileFormatUnsupported', {
    params: { format: f || '?' },
    details: { field: 'format' },
  });
}

const FOOTER = /^(填报单位|填表单位|填表人|制表|审核|负责人|单位负责人|注[:：]|备注[:：]|说明[:：])/;

const noHeader = () =>
  new ValidationError('FILE_NO_HEADER', 'error.fileNoHeader', { details: { field: 'file' } });

export async function openTable(
  file: string,
  opts: { format?: string | undefined; encoding?: CsvEncoding | undefined } = {},
): Promise<OpenedTable> {
  const format = formatOf(file, opts.format);
  if (format === 'csv') {
    return openCsv(file, opts.encoding);
  }
  if (format === 'xlsx') {
    return openXlsx(file);
  }
  return openJson(file, format);
}

async function openCsv(file: string, encoding: CsvEncoding | undefined): Promise<OpenedTable> {
  let detected: CsvEncoding | null = null;
  const source = createReadStream(file, { highWaterMark: 1 << 18 });
  const delimiter = file.toLowerCase().endsWith('.tsv') ? '\t' : ',';
  const batches = scanCsv(
    utf8Chunks(source, encoding, (e) => {
      detected = e;
    }),
    delimiter,
  );
  const it = batches[Symbol.asyncIterator]();
  let first: IteratorResult<ByteBatch>;
  try {
    first = await it.next();
  } catch (e) {
    source.destroy();
    throw e;
  }
  if (first.done || first.value.rows === 0) {
    source.destroy();
    throw noHeader();
  }
  const b0 = first.value;
  const header = recordValues(b0, 0).map((h) => h.trim());
  // The first batch without its header record.
  const rest: ByteBatch = {
    ...b0,
    rows: b0.rows - 1,
    line: b0.line.subarray(1),
    first: b0.first.subarray(1),
  };
  let taken = false;
  async function* bytes(): AsyncGenerator<ByteBatch> {
    if (taken) {
      throw new Error('the rows of an opened table are read once');
    }
    taken = true;
    try {
      if (rest.rows) {
        yield rest;
      }
      for (let n = await it.next(); !n.done; n = await it.next()) {
        yield n.value;
      }
    } finally {
      source.destroy();
    }
  }
  async function* rows(): AsyncGenerator<TableRow[]> {
    for await (const b of bytes()) {
      yield batchRows(b);
    }
  }
  return {
    format: 'csv',
    encoding: detected,
    header,
    get rows() {
      return rows();
    },
    get bytes() {
      return bytes();
    },
  };
}

/** The records of a byte batch as table rows. */
export function batchRows(b: ByteBatch): TableRow[] {
  const out: TableRow[] = [];
  for (let r = 0; r < b.rows; r++) {
    out.push({ row: b.line[r] as number, values: recordValues(b, r) });
  }
  return out;
}

function cellText(v: ExcelJS.CellValue): string | null {
  if (v === null || v === undefined) {
    return null;
  }
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
  }
  if (typeof v === 'object') {
    if ('richText' in v) {
      return v.richText.map((r) => r.text).join('');
    }
    if ('result' in v) {
      return cellText(v.result as ExcelJS.CellValue);
    }
    if ('text' in v) {
      return String(v.text);
    }
    if ('error' in v) {
      return null;
    }
    return null;
  }
  return String(v);
}

async function openXlsx(file: string): Promise<OpenedTable> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
  });
  const sheets = reader[Symbol.asyncIterator]();
  const sheet = await sheets.next();
  if (sheet.done) {
    throw noHeader();
  }
  const rowsIt = (sheet.value as AsyncIterable<ExcelJS.Row>)[Symbol.asyncIterator]();
  let header: string[] | undefined;
  // The header is the first row with at least two filled cells (merged title rows have one).
  for (let scanned = 0; scanned < 30; scanned++) {
    const r = await rowsIt.next();
    if (r.done) {
      break;
    }
    const vals = rowValues(r.value);
    if (vals.filter((v) => v !== null && v.trim() !== '').length >= 2) {
      header = vals.map((v) => (v ?? '').trim());
      while (header.length && header[header.length - 1] === '') {
        header.pop();
      }
      break;
    }
  }
  if (!header) {
    throw noHeader();
  }
  const width = header.length;
  async function* rows(): AsyncGenerator<TableRow[]> {
    let batch: TableRow[] = [];
    let footer = false;
    for (let r = await rowsIt.next(); !r.done; r = await rowsIt.next()) {
      const vals = rowValues(r.value).slice(0, width);
      const filled = vals.filter((v) => v !== null && v.trim() !== '');
      if (filled.length === 0) {
        continue;
      }
      if (footer || (filled.length <= 2 && FOOTER.test((filled[0] as string).trim()))) {
        footer = true; // everything after a footer line is footer too
        continue;
      }
      while (vals.length < width) {
        vals.push(null);
      }
      batch.push({ row: r.value.number, values: vals });
      if (batch.length >= 1000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) {
      yield batch;
    }
  }
  return { format: 'xlsx', encoding: null, header, rows: rows() };
}

function rowValues(row: ExcelJS.Row): Array<string | null> {
  const raw = row.values as ExcelJS.CellValue[];
  const out: Array<string | null> = [];
  for (let i = 1; i < raw.length; i++) {
    out.push(cellText(raw[i]));
  }
  return out;
}

const scalarText = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);

async function openJson(file: string, format: 'json' | 'ndjson'): Promise<OpenedTable> {
  if (format === 'json') {
    const data: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (!Array.isArray(data) || data.length === 0 || typeof data[0] !== 'object' || data[0] === null) {
      throw noHeader();
    }
    const header = Object.keys(data[0] as object);
    async function* rows(): AsyncGenerator<TableRow[]> {
      await Promise.resolve();
      yield (data as Array<Record<string, unknown>>).map((o, i) => ({
        row: i + 1,
        values: header.map((h) => scalarText(o[h])),
      }));
    }
    return { format, encoding: null, header, rows: rows() };
  }
  const lines = parseCsvLines(file);
  const it = lines[Symbol.asyncIterator]();
  let first: { line: number; obj: Record<string, unknown> } | undefined;
  for (let n = await it.next(); !n.done; n = await it.next()) {
    first = n.value;
    break;
  }
  if (!first) {
    throw noHeader();
  }
  const header = Object.keys(first.obj);
  const head = first;
  async function* rows(): AsyncGenerator<TableRow[]> {
    let batch: TableRow[] = [{ row: head.line, values: header.map((h) => scalarText(head.obj[h])) }];
    for (let n = await it.next(); !n.done; n = await it.next()) {
      batch.push({ row: n.value.line, values: header.map((h) => scalarText(n.value.obj[h])) });
      if (batch.length >= 1000) {
        yield batch;
        batch = [];
      }
    }
    yield batch;
  }
  return { format, encoding: null, header, rows: rows() };
}

async function* parseCsvLines(file: string): AsyncGenerator<{ line: number; obj: Record<string, unknown> }> {
  let line = 0;
  let buf = '';
  const dec = new TextDecoder('utf-8');
  for await (const chunk of createReadStream(file)) {
    buf += dec.decode(chunk as Buffer, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      line++;
      const text = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (text) {
        yield { line, obj: parseJsonLine(text, line) };
      }
    }
  }
  line++;
  if (buf.trim()) {
    yield { line, obj: parseJsonLine(buf.trim(), line) };
  }
}

function parseJsonLine(text: string, line: number): Record<string, unknown> {
  try {
    const o: unknown = JSON.parse(text);
    if (typeof o === 'object' && o !== null && !Array.isArray(o)) {
      return o as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  throw new ValidationError('FILE_JSON_INVALID', 'error.fileJsonInvalid', {
    params: { row: line },
    details: { row: line },
  });
}
