/**
 * RFC 8785 JSON Canonicalization Scheme (pure): object members sorted by UTF-16 code units, no
 * whitespace, ECMAScript number and string serialisation. Leaves of the ledger are these bytes.
 */
export function canonicalize(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError('JCS: non-finite number');
      }
      // ECMAScript Number.prototype.toString is exactly the JCS number form (and -0 → "0").
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let s = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) {
            s += ',';
          }
          s += canonicalize(value[i]);
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
        if (v === undefined) {
          continue;
        }
        if (!first) {
          s += ',';
        }
        first = false;
        s += `${JSON.stringify(k)}:${canonicalize(v)}`;
      }
      return `${s}}`;
    }
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new TypeError(`JCS: cannot serialise ${typeof value}`);
  }
  throw new TypeError('JCS: unreachable');
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}
