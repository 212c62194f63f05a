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
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalize(value[i]);
        return `${out}]`;
      }
      return joinMembers(canonicalMembers(value));
    }
    default:
      throw new TypeError(`JCS: a ${typeof value} is not JSON`);
  }
}

/** A member of a canonical object: its name, and `"name":value` in canonical form. */
export type Member = readonly [name: string, text: string];

/**
 * The members of an object in canonical order. Exposed so that a signature member can be
 * spliced into an already canonical object without serialising it twice (see `seal`).
 */
export function canonicalMembers(value: object): Member[] {
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new TypeError('JCS: only plain objects, arrays and primitives');
  const record = value as Record<string, unknown>;
  const out: Member[] = [];
  for (const k of Object.keys(record).sort()) {
    const v = record[k];
    if (v !== undefined) out.push([k, `${JSON.stringify(k)}:${canonicalize(v)}`]);
  }
  return out;
}

export function joinMembers(members: readonly Member[]): string {
  let out = '{';
  for (let i = 0; i < members.length; i++) out += (i === 0 ? '' : ',') + members[i]![1];
  return `${out}}`;
}

/** The canonical object with one more member (a new name), in its sorted place. */
export function withMember(members: readonly Member[], name: string, value: unknown): string {
  const at = members.findIndex(([k]) => k > name);
  const all = [...members];
  all.splice(at === -1 ? all.length : at, 0, [name, `${JSON.stringify(name)}:${canonicalize(value)}`]);
  return joinMembers(all);
}
