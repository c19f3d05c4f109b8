/**
 * What the import wizard shows before a commit: how the file will be read (format, encoding detected
 * and in use, header, first data rows) and the items inferred from it with PII kind and level
 * suggestions — read the same way the import reads it (openTable, ColumnStats, proposeItem).
 */
import { open } from 'node:fs/promises';
import { type CsvEncoding, detectEncoding } from './csv.js';
import { openTable } from './file-source.js';
import { ColumnStats, type ItemSpec, proposeItem } from './values.js';

/** Suggestions stop after this many rows on a large file (the commit still checks every row). */
export const PREVIEW_SCAN_ROWS = 200_000;

export interface FilePreview {
  format: string;
  encoding: string | null;
  detectedEncoding: string | null;
  header: string[];
  firstDataRow: number | null;
  rows: Array<{ row: number; values: Array<string | null> }>;
  rowsScanned: number;
  complete: boolean;
  items: ItemSpec[];
}

async function headBytes(file: string): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export async function previewFile(
  file: string,
  opts: { format?: string | undefined; encoding?: CsvEncoding | undefined; rows: number },
): Promise<FilePreview> {
  const table = await openTable(file, { format: opts.format, encoding: opts.encoding });
  const stats = table.header.map(() => new ColumnStats());
  const rows: FilePreview['rows'] = [];
  let scanned = 0;
  let complete = true;
  outer: for await (const batch of table.rows) {
    for (const r of batch) {
      if (scanned >= PREVIEW_SCAN_ROWS) {
        complete = false;
        break outer;
      }
      scanned++;
      if (rows.length < opts.rows) {
        rows.push({ row: r.row, values: r.values.slice(0, Math.max(table.header.length, 1)) });
      }
      for (let i = 0; i < stats.length; i++) {
        (stats[i] as ColumnStats).add(r.values[i] ?? null);
      }
    }
  }
  return {
    format: table.format,
    encoding: table.format === 'csv' ? (opts.encoding ?? table.encoding) : null,
    detectedEncoding: table.format === 'csv' ? detectEncoding(await headBytes(file)) : null,
    header: table.header,
    firstDataRow: rows[0]?.row ?? null,
    rows,
    rowsScanned: scanned,
    complete,
    items: table.header.map((h, i) => proposeItem(h, stats[i] as ColumnStats)),
  };
}
