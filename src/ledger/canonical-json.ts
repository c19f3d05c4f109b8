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
    case 'bigint':
      throw new TypeError('JCS: bigint is not JSON');
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v) => (v === undefined ? 'null' : canonicalize(v))).join(',')}]`;
      }
      if (value instanceof Date) {
        return JSON.stringify(value.toISOString());
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(obj[k])}`).join(',')}}`;
    }
    case 'undefined':
    case 'function':
    case 'symbol':
      throw new TypeError(`JCS: cannot serialise ${typeof value}`);
  }
  throw new TypeError('JCS: unreachable');
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}
