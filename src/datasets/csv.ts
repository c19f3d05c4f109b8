/**
 * A streaming, quote-aware CSV reader (pure: takes byte chunks, yields records) with encoding
 * detection. Unquoted lines take a fast path (indexOf + split); lines with quotes fall back to a
 * state machine. `line` is the physical line where the record starts (header = line 1).
 */
import { TextDecoder } from 'node:util';

export type CsvEncoding = 'utf-8' | 'gbk' | 'gb18030';

export interface CsvRecord {
  line: number;
  fields: string[];
  /** The record's text (without the line end) when it was read on the unquoted fast path. */
  text?: string;
}

/** Detects the encoding of a file from its first bytes: BOM → UTF-8, valid UTF-8 → UTF-8, else GBK/GB18030. */
export function detectEncoding(head: Uint8Array): CsvEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return 'utf-8';
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, completeUtf8Prefix(head)));
    return 'utf-8';
  } catch {
    // GB18030 four-byte sequences have a digit as the second byte; GBK never does.
    for (let i = 0; i + 1 < head.length; i++) {
      const b = head[i] as number;
      if (b >= 0x81 && b <= 0xfe) {
        const b2 = head[i + 1] as number;
        if (b2 >= 0x30 && b2 <= 0x39) {
          return 'gb18030';
        }
        i++;
      }
    }
    return 'gbk';
  }
}

/**
 * The length of `b` without a multi-byte UTF-8 character split by the end of the chunk: walks back over at most
 * three continuation bytes to the lead byte and cuts there when the character needs more bytes than are left.
 * (Cutting every trailing byte ≥ 0x80 instead would split the last complete character and make valid UTF-8 look
 * invalid — that misread a UTF-8 file as GB18030 whenever its first chunk ended one byte into a character.)
 */
export function completeUtf8Prefix(b: Uint8Array): number {
  let i = b.length - 1;
  let cont = 0;
  while (i >= 0 && cont < 3 && ((b[i] as number) & 0xc0) === 0x80) {
    i--;
    cont++;
  }
  if (i < 0) {
    return b.length;
  }
  const lead = b[i] as number;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > cont + 1 ? i : b.length;
}

/** Decodes byte chunks to text with the given (or detected) encoding; reports the encoding via `onEncoding`. */
export async function* decodeChunks(
  source: AsyncIterable<Uint8Array>,
  encoding: CsvEncoding | undefined,
  onEncoding: (e: CsvEncoding) => void,
): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  for await (const chunk of source) {
    if (!decoder) {
      const enc = encoding ?? detectEncoding(chunk);
      onEncoding(enc);
      decoder = new TextDecoder(enc === 'gbk' ? 'gb18030' : enc, { ignoreBOM: false });
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text) {
      yield text;
    }
  }
  if (decoder) {
    const rest = decoder.decode();
    if (rest) {
      yield rest;
    }
  }
}

/** Splits decoded text into CSV records (RFC 4180 quoting, CRLF or LF, blank lines skipped). */
export async function* parseCsv(text: AsyncIterable<string>, delimiter = ','): AsyncGenerator<CsvRecord[]> {
  let buf = '';
  let line = 1;
  for await (const chunk of text) {
    buf = buf.length === 0 ? chunk : buf + chunk;
    const out: CsvRecord[] = [];
    const consumed = parseSome(buf, false, delimiter, line, out);
    line = consumed.line;
    buf = consumed.pos === buf.length ? '' : buf.slice(consumed.pos);
    if (out.length) {
      yield out;
    }
  }
  if (buf.length) {
    const out: CsvRecord[] = [];
    parseSome(buf, true, delimiter, line, out);
    if (out.length) {
      yield out;
    }
  }
}

function parseSome(
  buf: string,
  final: boolean,
  delim: string,
  startLine: number,
  out: CsvRecord[],
): { pos: number; line: number } {
  let pos = 0;
  let line = startLine;
  const n = buf.length;
  // The next quote character at or after pos (-1: none left); looked up again only once passed.
  let nextQuote = buf.indexOf('"', pos);
  while (pos < n) {
    let nl = buf.indexOf('\n', pos);
    if (nl === -1) {
      if (!final) {
        break;
      }
      nl = n;
    }
    if (nextQuote !== -1 && nextQuote < pos) {
      nextQuote = buf.indexOf('"', pos);
    }
    if (nextQuote === -1 || nextQuote > nl) {
      // Fast path: no quote on this line.
      const end = nl > pos && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > pos) {
        const text = buf.slice(pos, end);
        out.push({ line, fields: text.split(delim), text });
      }
      pos = nl + 1;
      line++;
      continue;
    }
    const rec = parseQuoted(buf, pos, final, delim);
    if (!rec) {
      break;
    }
    out.push({ line, fields: rec.fields });
    line += 1 + rec.newlines;
    pos = rec.next;
  }
  return { pos: Math.min(pos, n), line };
}

function parseQuoted(
  buf: string,
  start: number,
  final: boolean,
  delim: string,
): { fields: string[]; next: number; newlines: number } | null {
  const fields: string[] = [];
  let i = start;
  let newlines = 0;
  const n = buf.length;
  for (;;) {
    if (i < n && buf[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = buf.indexOf('"', j);
        if (q === -1) {
          return null; // the closing quote is in a later chunk
        }
        const part = buf.slice(j, q);
        for (let k = part.indexOf('\n'); k !== -1; k = part.indexOf('\n', k + 1)) {
          newlines++;
        }
        value += part;
        if (buf[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        if (q + 1 >= n && !final) {
          return null;
        }
        i = q + 1;
        break;
      }
      // Anything between the closing quote and the delimiter is kept (lenient).
      while (i < n && buf[i] !== delim && buf[i] !== '\n' && buf[i] !== '\r') {
        value += buf[i];
        i++;
      }
      fields.push(value);
    } else {
      let j = i;
      while (j < n && buf[j] !== delim && buf[j] !== '\n' && buf[j] !== '\r') {
        j++;
      }
      fields.push(buf.slice(i, j));
      i = j;
    }
    if (i >= n) {
      if (!final) {
        return null;
      }
      return { fields, next: n, newlines };
    }
    if (buf[i] === delim) {
      i++;
      continue;
    }
    // End of record: \r\n, \n or a lone \r.
    if (buf[i] === '\r') {
      if (i + 1 >= n && !final) {
        return null;
      }
      i += buf[i + 1] === '\n' ? 2 : 1;
    } else {
      i++;
    }
    return { fields, next: i, newlines };
  }
}
