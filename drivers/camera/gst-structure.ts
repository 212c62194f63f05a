/** The numeric fields of a serialised GstStructure ("name, key=(type)value, ..."). */
export function parseStructure(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/([\w-]+)=\((?:g?u?int(?:64)?|double|float)\)(-?[\d.e+-]+)/g)) {
    const value = Number(m[2]);
    if (m[1] && Number.isFinite(value)) out[m[1]] = value;
  }
  return out;
}
