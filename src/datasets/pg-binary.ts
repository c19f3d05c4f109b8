/**
 * PostgreSQL binary COPY rows (pure): `COPY … FROM STDIN (FORMAT binary)` takes each row as a field
 * count and length-prefixed values in the columns' binary forms, which the server stores without
 * parsing text. Written here for text (UTF-8 bytes), bigint, date and boolean columns. Rows are built in
 * large slabs; a row found bad half-way is dropped by `rollback()`; `take()` hands over the rows
 * completed so far (never touched again by the writer).
 */

/** The file header (signature, flags, no extension area). */
export const BINARY_HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** The file trailer (a field count of -1). */
export const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

const SLAB = 4 << 20;
/** Days from 1970-01-01 to 2000-01-01 (PostgreSQL's date epoch). */
const PG_EPOCH_DAYS = 10957;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// PostgreSQL day numbers of the first day of each month of 1900–2155, filled as they are asked for.
const MONTHS = new Float64Array(256 * 16).fill(NaN);

function monthStart(y: number, m: number): number {
  if (y < 1900 || y > 2155) {
    return daysFromCivil(y, m, 1) - PG_EPOCH_DAYS;
  }
  const k = (y - 1900) * 16 + m;
  let v = MONTHS[k] as number;
  if (Number.isNaN(v)) {
    v = daysFromCivil(y, m, 1) - PG_EPOCH_DAYS;
    MONTHS[k] = v;
  }
  return v;
}

export class BinaryRowWriter {
  private buf: Buffer = Buffer.allocUnsafe(SLAB);
  private pos = 0;
  /** Where the current row started; rows before it are complete. */
  private rowStart = 0;
  /** Where the rows not yet taken start. */
  private takenTo = 0;
  private done: Buffer[] = [];

  /** Makes room for k more bytes (the row under construction moves to a new slab if need be). */
  private ensure(k: number): void {
    if (this.pos + k <= this.buf.length) {
      return;
    }
    if (this.rowStart > this.takenTo) {
      this.done.push(this.buf.subarray(this.takenTo, this.rowStart));
    }
    const partial = this.pos - this.rowStart;
    const next = Buffer.allocUnsafe(Math.max(SLAB, (partial + k) * 2));
    this.buf.copy(next, 0, this.rowStart, this.pos);
    this.buf = next;
    this.rowStart = 0;
    this.takenTo = 0;
    this.pos = partial;
  }

  beginRow(fields: number): void {
    this.rowStart = this.pos;
    this.ensure(2);
    this.buf[this.pos++] = fields >>> 8;
    this.buf[this.pos++] = fields & 0xff;
  }

  /** Completes the current row. */
  endRow(): void {
    this.rowStart = this.pos;
  }

  /** Drops the current row. */
  rollback(): void {
    this.pos = this.rowStart;
  }

  private len(n: number): void {
    const b = this.buf;
    let p = this.pos;
    b[p++] = n >>> 24;
    b[p++] = (n >>> 16) & 0xff;
    b[p++] = (n >>> 8) & 0xff;
    b[p++] = n & 0xff;
    this.pos = p;
  }

  null(): void {
    this.ensure(4);
    this.len(-1 >>> 0);
  }

  /** A text value as UTF-8 bytes src[s, e). */
  bytes(src: Buffer, s: number, e: number): void {
    const n = e - s;
    this.ensure(4 + n);
    this.len(n);
    const b = this.buf;
    let p = this.pos;
    if (n <= 32) {
      for (let i = s; i < e; i++) {
        b[p++] = src[i] as number;
      }
    } else {
      src.copy(b, p, s, e);
      p += n;
    }
    this.pos = p;
  }

  text(v: string): void {
    const max = v.length * 3;
    this.ensure(4 + max);
    const n = this.buf.write(v, this.pos + 4, 'utf8');
    this.len(n);
    this.pos += n;
  }

  /** Overwrites the last byte written (a value's last character, already written). */
  patchLastByte(b: number): void {
    this.buf[this.pos - 1] = b;
  }

  /** A bigint from a safe integer. */
  int8(v: number): void {
    this.ensure(12);
    this.len(8);
    const hi = Math.floor(v / 4294967296);
    const lo = v - hi * 4294967296;
    const b = this.buf;
    let p = this.pos;
    b[p++] = (hi >>> 24) & 0xff;
    b[p++] = (hi >>> 16) & 0xff;
    b[p++] = (hi >>> 8) & 0xff;
    b[p++] = hi & 0xff;
    b[p++] = (lo >>> 24) & 0xff;
    b[p++] = (lo >>> 16) & 0xff;
    b[p++] = (lo >>> 8) & 0xff;
    b[p++] = lo & 0xff;
    this.pos = p;
  }

  /** A bigint from its decimal spelling (optional sign, up to 18 digits). */
  int8Text(v: string): void {
    const digits = v.replace(/^[-+]/, '').length;
    if (digits <= 15) {
      this.int8(Number(v));
      return;
    }
    this.ensure(12);
    this.len(8);
    this.buf.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
  }

  /** A date (proleptic Gregorian year, month, day). */
  date(y: number, m: number, d: number): void {
    this.ensure(8);
    this.len(4);
    this.len((monthStart(y, m) + d - 1) | 0);
  }

  bool(v: boolean): void {
    this.ensure(5);
    this.len(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  /** The complete rows written since the last take (empty when none). */
  take(): Buffer[] {
    const out = this.done;
    this.done = [];
    if (this.rowStart > this.takenTo) {
      out.push(this.buf.subarray(this.takenTo, this.rowStart));
      this.takenTo = this.rowStart;
    }
    return out;
  }
}
