/**
 * The byte-level CSV reader of imports (pure: takes byte chunks, yields batches of records as byte
 * ranges). Every chunk is first made UTF-8 (UTF-8 input is passed through when valid; GBK/GB18030, or
 * invalid UTF-8, are transcoded through TextDecoder exactly as the text reader decoded them), then
 * records are found by one loop over the bytes: no string is made per row or per field. A field is
 * `buf[start, end)`; a quoted field is unescaped in place (its value is never longer than its raw
 * bytes). Records follow RFC 4180 quoting with CRLF or LF; blank lines are skipped; `line` is the
 * physical line a record starts on (header = line 1) — the same records and lines as `parseCsv`.
 */
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { type CsvEncoding, completeUtf8Prefix, detectEncoding } from './csv.js';

/** Records of one chunk: record r has fields first[r] … first[r + 1] - 1, field f is buf[starts[f], ends[f]). */
export interface ByteBatch {
  buf: Buffer;
  rows: number;
  line: Int32Array;
  first: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The bytes a detection looks at (the text reader's first chunk). */
const DETECT_BYTES = 1 << 16;

/** Byte chunks → UTF-8 byte chunks (BOM removed); reports the encoding used via `onEncoding`. */
export async function* utf8Chunks(
  source: AsyncIterable<Uint8Array>,
  encoding: CsvEncoding | undefined,
  onEncoding: (e: CsvEncoding) => void,
): AsyncGenerator<Buffer> {
  let enc: CsvEncoding | undefined;
  let decoder: TextDecoder | undefined;
  let carry: Buffer | undefined;
  let first = true;
  for await (const raw of source) {
    let chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (!enc) {
      enc = encoding ?? detectEncoding(chunk.subarray(0, DETECT_BYTES));
      onEncoding(enc);
      if (enc !== 'utf-8') {
        decoder = new TextDecoder('gb18030');
      }
    }
    if (decoder) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) {
        yield Buffer.from(text, 'utf8');
      }
      continue;
    }
    if (carry) {
      chunk = Buffer.concat([carry, chunk]);
      carry = undefined;
    }
    if (first) {
      if (chunk.length < 3 && BOM.subarray(0, chunk.length).equals(chunk)) {
        carry = Buffer.from(chunk); // not yet known whether it is a BOM
        continue;
      }
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        chunk = chunk.subarray(3);
      }
    }
    const cut = completeUtf8Prefix(chunk);
    if (cut < chunk.length) {
      carry = Buffer.from(chunk.subarray(cut));
      chunk = chunk.subarray(0, cut);
    }
    if (chunk.length) {
      yield isUtf8(chunk) ? chunk : Buffer.from(new TextDecoder('utf-8').decode(chunk), 'utf8');
    }
  }
  if (decoder) {
    const rest = decoder.decode();
    if (rest) {
      yield Buffer.from(rest, 'utf8');
    }
  } else if (carry) {
    yield Buffer.from(new TextDecoder('utf-8').decode(carry), 'utf8');
  }
}

class BatchBuilder {
  rows = 0;
  fields = 0;
  line = new Int32Array(1024);
  first = new Int32Array(1025);
  starts = new Int32Array(8192);
  ends = new Int32Array(8192);

  /** Doubles the field arrays. */
  grow(): void {
    const twice = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.starts = twice(this.starts);
    this.ends = twice(this.ends);
  }

  field(s: number, e: number): void {
    if (this.fields === this.starts.length) {
      this.grow();
    }
    this.starts[this.fields] = s;
    this.ends[this.fields] = e;
    this.fields++;
  }

  /** Closes the record whose fields began at `from` (fields past it belong to it). */
  record(line: number, from: number): void {
    if (this.rows + 1 >= this.line.length) {
      const l = new Int32Array(this.line.length * 2);
      l.set(this.line);
      this.line = l;
      const f = new Int32Array(this.first.length * 2);
      f.set(this.first);
      this.first = f;
    }
    this.line[this.rows] = line;
    this.first[this.rows] = from;
    this.rows++;
    this.first[this.rows] = this.fields;
  }

  /** The records so far, over `buf` (copies of the used parts: the builder's arrays are reused). */
  take(buf: Buffer): ByteBatch {
    const b: ByteBatch = {
      buf,
      rows: this.rows,
      line: this.line.slice(0, this.rows),
      first: this.first.slice(0, this.rows + 1),
      starts: this.starts.slice(0, this.fields),
      ends: this.ends.slice(0, this.fields),
    };
    this.rows = 0;
    this.fields = 0;
    this.first[0] = 0;
    return b;
  }
}

/** Splits UTF-8 chunks into batches of CSV records (one batch per chunk that completes a record). */
export async function* scanCsv(chunks: AsyncIterable<Buffer>, delimiter = ','): AsyncGenerator<ByteBatch> {
  const delim = delimiter.charCodeAt(0);
  const b = new BatchBuilder();
  let rest: Buffer | undefined;
  let line = 1;
  for await (const chunk of chunks) {
    let buf = chunk;
    let start = 0;
    if (rest) {
      // The record cut by the chunk boundary is completed in a small buffer of its own (usually it
      // ends at the chunk's first line end), so the chunk itself is scanned where it is, uncopied.
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        buf = Buffer.concat([rest, chunk]);
      } else {
        const head = Buffer.concat([rest, chunk.subarray(0, nl + 1)]);
        const r = scanSome(head, 0, false, delim, line, b);
        line = r.line;
        if (b.rows) {
          yield b.take(head);
        }
        if (r.pos >= head.length) {
          start = nl + 1;
        } else {
          buf = Buffer.concat([head.subarray(r.pos), chunk.subarray(nl + 1)]);
        }
      }
      rest = undefined;
    }
    const r = scanSome(buf, start, false, delim, line, b);
    line = r.line;
    rest = r.pos >= buf.length ? undefined : buf.subarray(r.pos);
    if (b.rows) {
      yield b.take(buf);
    }
  }
  if (rest && rest.length) {
    // The tail is rescanned after a copy: quoted fields are unescaped in place.
    const buf = Buffer.from(rest);
    scanSome(buf, 0, true, delim, line, b);
    if (b.rows) {
      yield b.take(buf);
    }
  }
}

/** Scans whole records from `buf`; returns where the first incomplete one starts, and its line. */
function scanSome(
  buf: Buffer,
  from: number,
  final: boolean,
  delim: number,
  startLine: number,
  b: BatchBuilder,
): { pos: number; line: number } {
  const n = buf.length;
  let pos = from;
  let line = startLine;
  // The bytes that matter (delimiter, LF, quote) are all at most this; most bytes of a file are above.
  const top = Math.max(delim, 34);
  outer: while (pos < n) {
    const from = b.fields;
    let fs = pos;
    let i = pos;
    // Field bounds go straight into the builder's arrays (grown when full).
    let starts = b.starts;
    let ends = b.ends;
    let nf = from;
    for (; i < n; i++) {
      const c = buf[i] as number;
      if (c > top) {
        continue;
      }
      if (c === delim) {
        if (nf === starts.length) {
          b.fields = nf;
          b.grow();
          starts = b.starts;
          ends = b.ends;
        }
        starts[nf] = fs;
        ends[nf] = i;
        nf++;
        fs = i + 1;
      } else if (c === 10) {
        break;
      } else if (c === 34) {
        // A quote before the end of the line: the record is read by the quote-aware reader.
        b.fields = from;
        const q = quotedRecord(buf, pos, final, delim, null);
        if (q === null) {
          break outer;
        }
        quotedRecord(buf, pos, final, delim, b);
        b.record(line, from);
        line += 1 + q.newlines;
        pos = q.next;
        continue outer;
      }
    }
    b.fields = nf;
    if (i >= n && !final) {
      b.fields = from;
      break;
    }
    // Fast path: no quote on this line; a CR before the LF is not part of the last field.
    const end = i > pos && buf[i - 1] === 13 ? i - 1 : i;
    if (end > pos) {
      b.field(fs, end < fs ? fs : end);
      b.record(line, from);
    } else {
      b.fields = from;
    }
    pos = i + 1;
    line++;
  }
  return { pos: Math.min(pos, n), line };
}

/**
 * One record that has a quote (the text reader's `parseQuoted` on bytes): null when it is not complete
 * in `buf`. With a builder, the fields are added and quoted values unescaped in place — call it so only
 * once the record is known to be complete.
 */
function quotedRecord(
  buf: Buffer,
  start: number,
  final: boolean,
  delim: number,
  out: BatchBuilder | null,
): { next: number; newlines: number } | null {
  let i = start;
  let newlines = 0;
  const n = buf.length;
  for (;;) {
    if (i < n && buf[i] === 34) {
      // Quoted value: written back at w (w ≤ the read position throughout).
      const fs = i;
      let w = i;
      let j = i + 1;
      for (;;) {
        if (j >= n) {
          return null; // the closing quote is in a later chunk
        }
        const c = buf[j] as number;
        if (c === 34) {
          if (buf[j + 1] === 34) {
            if (out) {
              buf[w] = 34;
            }
            w++;
            j += 2;
            continue;
          }
          if (j + 1 >= n && !final) {
            return null;
          }
          i = j + 1;
          break;
        }
        if (c === 10) {
          newlines++;
        }
        if (out) {
          buf[w] = c;
        }
        w++;
        j++;
      }
      // Anything between the closing quote and the delimiter is kept (lenient).
      while (i < n && buf[i] !== delim && buf[i] !== 10 && buf[i] !== 13) {
        if (out) {
          buf[w] = buf[i] as number;
        }
        w++;
        i++;
      }
      out?.field(fs, w);
    } else {
      let j = i;
      while (j < n && buf[j] !== delim && buf[j] !== 10 && buf[j] !== 13) {
        j++;
      }
      out?.field(i, j);
      i = j;
    }
    if (i >= n) {
      if (!final) {
        return null;
      }
      return { next: n, newlines };
    }
    if (buf[i] === delim) {
      i++;
      continue;
    }
    // End of record: \r\n, \n or a lone \r.
    if (buf[i] === 13) {
      if (i + 1 >= n && !final) {
        return null;
      }
      i += buf[i + 1] === 10 ? 2 : 1;
    } else {
      i++;
    }
    return { next: i, newlines };
  }
}

/** The fields of record r as strings. */
export function recordValues(b: ByteBatch, r: number): string[] {
  const out: string[] = [];
  for (let f = b.first[r] as number, end = b.first[r + 1] as number; f < end; f++) {
    out.push(b.buf.toString('utf8', b.starts[f], b.ends[f]));
  }
  return out;
}
