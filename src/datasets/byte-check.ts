/**
 * Per-item checks of UTF-8 bytes that write the accepted value straight into a binary COPY row (pure).
 * Each is `compileCheck` (values.ts) on bytes: the common spellings are decided on the bytes, anything
 * else is decoded and goes through `compileCheck` itself, so a value is accepted, normalised or refused
 * exactly as the text path would.
 */
import {
  digitsOnly,
  digitsValue,
  isIsoDateBytes,
  isPlainMobileBytes,
  residentIdProblemBytes,
  residentIdShape,
  untrimmed,
  utf16Length,
} from './byte-rules.js';
import { isRealDate } from './identifiers.js';
import type { BinaryRowWriter } from './pg-binary.js';
import { compileCheck, type DataType, Failure, failureOf, type ItemSpec } from './values.js';

/** Checks buf[s, e) (s < 0: the file has no value) and writes it to `w`; a Failure when it is refused. */
export type ByteCheck = (
  buf: Buffer,
  s: number,
  e: number,
  w: BinaryRowWriter,
  now: number,
) => Failure | null;

/** Item types whose values a binary COPY row can carry (the others load through CSV COPY). */
export function binaryCapable(t: DataType): boolean {
  return t === 'I' || t === 'D' || t === 'L' || t === 'C' || t === 'M' || t === 'G' || t === 'B';
}

/** Writes a value normalised by `compileCheck` in the item type's binary form. */
function writeNormalised(t: DataType, v: string | null, w: BinaryRowWriter): void {
  if (v === null) {
    w.null();
  } else if (t === 'I') {
    w.int8Text(v);
  } else if (t === 'D') {
    w.date(Number(v.slice(0, 4)), Number(v.slice(5, 7)), Number(v.slice(8, 10)));
  } else if (t === 'L') {
    w.bool(v === 'true');
  } else {
    w.text(v);
  }
}

export function compileByteCheck(item: ItemSpec): ByteCheck {
  const t = item.dataType;
  if (!binaryCapable(t)) {
    throw new Error(`no binary form for data type ${t}`);
  }
  const check = compileCheck(item);
  const slow: ByteCheck = (buf, s, e, w) => {
    const c = check(s < 0 ? null : buf.toString('utf8', s, e));
    if (c instanceof Failure) {
      return c;
    }
    writeNormalised(t, c, w);
    return null;
  };
  const required = item.level === 'core' ? failureOf('required') : null;
  if (t === 'I') {
    return (buf, s, e, w, now) => {
      if (s < 0 || s === e) {
        return emptyValue(required, w);
      }
      if (e - s <= 15 && digitsOnly(buf, s, e)) {
        w.int8(digitsValue(buf, s, e));
        return null;
      }
      return slow(buf, s, e, w, now);
    };
  }
  if (t === 'D') {
    const bad = failureOf('badDate');
    return (buf, s, e, w, now) => {
      if (s < 0 || s === e) {
        return emptyValue(required, w);
      }
      if (isIsoDateBytes(buf, s, e)) {
        const y =
          ((buf[s] as number) - 48) * 1000 +
          ((buf[s + 1] as number) - 48) * 100 +
          ((buf[s + 2] as number) - 48) * 10 +
          ((buf[s + 3] as number) - 48);
        const m = ((buf[s + 5] as number) - 48) * 10 + ((buf[s + 6] as number) - 48);
        const d = ((buf[s + 8] as number) - 48) * 10 + ((buf[s + 9] as number) - 48);
        if (!isRealDate(y, m, d)) {
          return bad;
        }
        w.date(y, m, d);
        return null;
      }
      return slow(buf, s, e, w, now);
    };
  }
  if (t === 'L') {
    return slow;
  }
  const max = t === 'C' ? item.length : undefined;
  const tooLong = failureOf('tooLong');
  if (item.piiKind === 'resident_id') {
    return (buf, s, e, w, now) => {
      if (s < 0 || s === e) {
        return emptyValue(required, w);
      }
      if (residentIdShape(buf, s, e)) {
        if (max !== undefined && 18 > max) {
          return tooLong;
        }
        const p = residentIdProblemBytes(buf, s, now);
        if (p) {
          return failureOf(`residentId.${p}`);
        }
        w.bytes(buf, s, e);
        if (buf[s + 17] === 120) {
          w.patchLastByte(88); // x → X, as toUpperCase
        }
        return null;
      }
      return slow(buf, s, e, w, now);
    };
  }
  if (item.piiKind === 'mobile') {
    return (buf, s, e, w, now) => {
      if (s < 0 || s === e) {
        return emptyValue(required, w);
      }
      if (isPlainMobileBytes(buf, s, e) && (max === undefined || 11 <= max)) {
        w.bytes(buf, s, e);
        return null;
      }
      return slow(buf, s, e, w, now);
    };
  }
  if (item.piiKind === null || item.piiKind === 'name' || item.piiKind === 'address') {
    return (buf, s, e, w, now) => {
      if (s < 0 || s === e) {
        return emptyValue(required, w);
      }
      if (untrimmed(buf, s, e)) {
        if (max !== undefined && e - s > max && utf16Length(buf, s, e) > max) {
          return tooLong;
        }
        w.bytes(buf, s, e);
        return null;
      }
      return slow(buf, s, e, w, now);
    };
  }
  return slow;
}

function emptyValue(required: Failure | null, w: BinaryRowWriter): Failure | null {
  if (required) {
    return required;
  }
  w.null();
  return null;
}
