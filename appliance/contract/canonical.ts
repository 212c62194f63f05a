/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) for the values pitbox puts on the wire.
 *
 * ECMAScript already serialises strings and numbers the way JCS requires (JCS is defined in its
 * terms), so what is left is ordering object members by their names' UTF-16 code units, which
 * is what the default `Array.prototype.sort` compares. Members whose value is `undefined` are
 * absent, as in `JSON.stringify`. Anything else that is not JSON data (NaN, Infinity, class
 * instances, functions, bigints) is refused rather than coerced, because a signature over a value
 * that changes on the way to the wire would be a lie.
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`JCS: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((v: unknown) => canonicalize(v)).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new TypeError('JCS: only plain objects, arrays and primitives');
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonicalize(record[k])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`JCS: a ${typeof value} is not JSON`);
  }
}
