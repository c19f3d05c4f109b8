/**
 * RFC 8785 JSON Canonicalization Scheme (pure): object members sorted by UTF-16 code units, no
 * whitespace, ECMAScript number and string serialisation. Leaves of the ledger are these bytes.
 */
export function canonicalize(value: unknown): string {
  return write(value, false);
}

/**
 * The canonical form of what `JSON.stringify` would store — `canonicalize(JSON.parse(JSON.stringify(v)))`
 * without the round trip: `toJSON` is honoured, non-finite numbers become null, undefined, functions and
 * symbols are dropped from objects and become null in arrays. Event data goes through this, so the text
 * logged equals what a later reader of the stored JSON canonicalises.
 */
export function canonicalizeJson(value: unknown): string {
  return write(value, true);
}

function write(value: unknown, lenient: boolean): string {
  if (value === null) {
    return 'null';
  }
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        if (lenient) {
          return 'null';
        }
        throw new TypeError('JCS: non-finite number');
      }
      // ECMAScript Number.prototype.toString is exactly the JCS number form (and -0 → "0").
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (lenient && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        const j = (value as { toJSON: () => unknown }).toJSON();
        return skipped(j) ? 'null' : write(j, true);
      }
      if (Array.isArray(value)) {
        let s = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) {
            s += ',';
          }
          const v: unknown = value[i];
          s += lenient && skipped(v) ? 'null' : write(v, lenient);
        }
        return `${s}]`;
      }
      if (value instanceof Date) {
        return JSON.stringify(value.toISOString());
      }
      const obj = value as Record<string, unknown>;
      // The default sort compares UTF-16 code units, as JCS requires.
      const keys = Object.keys(obj).sort();
      let s = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined || (lenient && skipped(v))) {
          continue;
        }
        if (!first) {
          s += ',';
        }
        first = false;
        s += `${JSON.stringify(k)}:${write(v, lenient)}`;
      }
      return `${s}}`;
    }
    case 'undefined':
      return 'null';
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new TypeError(`JCS: cannot serialise ${typeof value}`);
  }
  throw new TypeError('JCS: unreachable');
}

const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}
