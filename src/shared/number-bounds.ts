// The limits of a number setting, read from its zod schema (e.g. TrainConfig in train-config.ts),
// so the Training form and the CLI accept exactly what the engine does and say so in its numbers.
// zod states a number schema's checks publicly through its JSON Schema: minimum, maximum,
// exclusiveMinimum and integer-ness, looking through defaults and nullables.
import { z } from 'zod';

export interface NumberBounds {
  /** Null: no lower limit. */
  min: number | null;
  /** Null: no upper limit. */
  max: number | null;
  /** min itself is not allowed (e.g. a learning rate must be above 0). */
  exclusiveMin: boolean;
  exclusiveMax: boolean;
  integer: boolean;
}

interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** The first part of a schema (itself, or one of its alternatives) that matches. */
function find(json: JsonSchema, test: (j: JsonSchema) => boolean): JsonSchema | null {
  if (test(json)) return json;
  for (const alt of [...(json.anyOf ?? []), ...(json.oneOf ?? [])]) {
    const hit = find(alt, test);
    if (hit) return hit;
  }
  return null;
}

const isNumber = (j: JsonSchema) => j.type === 'number' || j.type === 'integer';

/**
 * The bounds of a number schema, or of the number property `property` of an object schema
 * (among a union's alternatives, the first that has it). Throws if there is none: a form field
 * bound to a setting that is not a number is a programming error.
 */
export function boundsOf(schema: z.ZodType, property?: string): NumberBounds {
  const json = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  const holder = property ? find(json, (j) => j.properties?.[property] !== undefined) : json;
  const target = property ? holder?.properties?.[property] : holder;
  const n = target ? find(target, isNumber) : null;
  if (!n) throw new Error(`The schema has no number${property ? ` "${property}"` : ''}.`);
  const integer = n.type === 'integer';
  // z.int() keeps whole numbers within the safe range: no limit a user would meet.
  const unbounded = (v: number | undefined) =>
    v === undefined || (integer && Math.abs(v) >= Number.MAX_SAFE_INTEGER);
  const lo = n.exclusiveMinimum ?? n.minimum;
  const hi = n.exclusiveMaximum ?? n.maximum;
  return {
    min: unbounded(lo) ? null : lo!,
    max: unbounded(hi) ? null : hi!,
    exclusiveMin: n.exclusiveMinimum !== undefined,
    exclusiveMax: n.exclusiveMaximum !== undefined,
    integer,
  };
}

/** The same bounds in other units: e.g. a fraction shown as a percentage (×100). */
export function scaled(b: NumberBounds, factor: number): NumberBounds {
  const by = (v: number | null) => (v === null ? null : Math.round(v * factor * 1e9) / 1e9);
  return { ...b, min: by(b.min), max: by(b.max) };
}

const show = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 10 });

/** "a whole number from 1 to 10,000", "a number above 0 and at most 10", ... */
export function describeBounds(b: NumberBounds): string {
  const kind = b.integer ? 'a whole number' : 'a number';
  const lo = b.min === null ? null : b.exclusiveMin ? `above ${show(b.min)}` : `${show(b.min)}`;
  const hi = b.max === null ? null : b.exclusiveMax ? `below ${show(b.max)}` : `${show(b.max)}`;
  if (lo !== null && hi !== null)
    return b.exclusiveMin || b.exclusiveMax
      ? `${kind} ${b.exclusiveMin ? lo : `of at least ${lo}`} and ${b.exclusiveMax ? hi : `at most ${hi}`}`
      : `${kind} from ${lo} to ${hi}`;
  if (lo !== null) return `${kind} ${b.exclusiveMin ? lo : `of at least ${lo}`}`;
  if (hi !== null) return `${kind} ${b.exclusiveMax ? hi : `of at most ${hi}`}`;
  return kind;
}

/** True when `n` is within the bounds. */
export function withinBounds(n: number, b: NumberBounds): boolean {
  if (!Number.isFinite(n) || (b.integer && !Number.isInteger(n))) return false;
  if (b.min !== null && (n < b.min || (b.exclusiveMin && n === b.min))) return false;
  if (b.max !== null && (n > b.max || (b.exclusiveMax && n === b.max))) return false;
  return true;
}
