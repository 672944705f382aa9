// Python source from values: literals, call arguments and identifiers, for the code generators.
import type { KerasValue } from './keras-layers.ts';

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except ' +
    'finally for from global if import in is lambda nonlocal not or pass raise return try while ' +
    'with yield'
  ).split(' '),
);

/** A Python number literal (JavaScript's shortest round-trip form is valid Python). */
export const pyNumber = (n: number): string => {
  if (!Number.isFinite(n)) throw new Error(`No Python literal for ${n}`);
  return String(n);
};

/** A single-quoted Python string literal. */
export const pyString = (s: string): string =>
  `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

/** A Python literal: lists become tuples, as Keras writes sizes and strides. */
export function pyValue(v: KerasValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyString(v);
  const items = v.map(pyValue);
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/**
 * Makes Python identifiers from names, unique among themselves and apart from `reserved` (the
 * names the generated code uses itself).
 */
export class Identifiers {
  private readonly taken: Set<string>;
  private readonly byName = new Map<string, string>();
  constructor(reserved: Iterable<string>) {
    this.taken = new Set(reserved);
  }

  of(name: string): string {
    const known = this.byName.get(name);
    if (known) return known;
    let base = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
    if (KEYWORDS.has(base)) base = `${base}_`;
    let id = base;
    for (let i = 2; this.taken.has(id); i++) id = `${base}_${i}`;
    this.taken.add(id);
    this.byName.set(name, id);
    return id;
  }
}
