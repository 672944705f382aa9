// Typed layer parameters: one small schema language read by validation,
// defaults, the inspector form (later) and the compiler.

export type Pair = [number, number];
/** Explicit padding as [[top, bottom], [left, right]], as in the chapter's nn.conv2d. */
export type ExplicitPadding = [Pair, Pair];
export type Padding = 'valid' | 'same' | ExplicitPadding;

export type ParamValue = number | boolean | string | Pair | ExplicitPadding | number[] | null;

interface Base<T> {
  default: T;
  label?: string;
  help?: string;
}

export interface IntParam extends Base<number> {
  type: 'int';
  min?: number;
  max?: number;
}
export interface FloatParam extends Base<number> {
  type: 'float';
  min?: number;
  max?: number;
  /** Exclusive bounds, e.g. a dropout rate must be < 1. */
  exclusiveMax?: boolean;
}
export interface BoolParam extends Base<boolean> {
  type: 'bool';
}
export interface EnumParam<V extends string = string> extends Base<V> {
  type: 'enum';
  values: readonly V[];
}
export interface PairParam extends Base<Pair | null> {
  type: 'pair';
  min?: number;
  /** When true the value may be null, meaning "not set". */
  optional?: boolean;
}
export interface PaddingParam extends Base<Padding> {
  type: 'padding';
}
export interface ShapeParam extends Base<number[]> {
  type: 'shape';
}

export type ParamSpec =
  IntParam | FloatParam | BoolParam | EnumParam | PairParam | PaddingParam | ShapeParam;
export type ParamSpecs = Record<string, ParamSpec>;

type ValueOf<S extends ParamSpec> = S extends IntParam | FloatParam
  ? number
  : S extends BoolParam
    ? boolean
    : S extends EnumParam<infer V>
      ? V
      : S extends PairParam
        ? S['optional'] extends true
          ? Pair | null
          : Pair
        : S extends PaddingParam
          ? Padding
          : S extends ShapeParam
            ? number[]
            : never;

export type ParamValues<P extends ParamSpecs> = { [K in keyof P]: ValueOf<P[K]> };

type Opts<S> = Partial<Omit<S, 'type'>>;

export const int = (o: Opts<IntParam> & { default: number }): IntParam => ({ type: 'int', ...o });
export const float = (o: Opts<FloatParam> & { default: number }): FloatParam => ({
  type: 'float',
  ...o,
});
export const bool = (o: Opts<BoolParam> & { default: boolean }): BoolParam => ({
  type: 'bool',
  ...o,
});
export const enumOf = <const V extends string>(
  values: readonly V[],
  o: Opts<EnumParam<V>> & { default: V },
): EnumParam<V> => ({ type: 'enum', values, ...o });
export const pair = (o: Opts<PairParam> & { default: Pair }): PairParam & { optional?: false } => ({
  type: 'pair',
  ...o,
  optional: false,
});
export const optionalPair = (o: Opts<PairParam> = {}): PairParam & { optional: true } => ({
  type: 'pair',
  ...o,
  default: null,
  optional: true,
});
export const padding = (o: Opts<PaddingParam> = {}): PaddingParam => ({
  type: 'padding',
  default: 'valid',
  ...o,
});
export const shape = (o: Opts<ShapeParam> & { default: number[] }): ShapeParam => ({
  type: 'shape',
  ...o,
});

export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'tanh',
  'softmax',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'swish',
  'hardSigmoid',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
export const activation = (def: ActivationName = 'linear'): EnumParam<ActivationName> =>
  enumOf(ACTIVATIONS, { default: def, label: 'Activation' });

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isPair = (v: unknown): v is Pair =>
  Array.isArray(v) && v.length === 2 && v.every((x) => isInt(x));

/**
 * Checks one value against its spec. Returns a message for the user, or null when valid.
 * Numbers written as a single integer are accepted for pairs by `normalizeParam`.
 */
export function checkParam(name: string, spec: ParamSpec, value: unknown): string | null {
  const label = spec.label ?? name;
  switch (spec.type) {
    case 'int':
      if (!isInt(value)) return `${label} must be a whole number`;
      if (spec.min !== undefined && value < spec.min)
        return `${label} must be at least ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `${label} must be at most ${spec.max}`;
      return null;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${label} must be a number`;
      if (spec.min !== undefined && value < spec.min)
        return `${label} must be at least ${spec.min}`;
      if (spec.max !== undefined) {
        if (spec.exclusiveMax ? value >= spec.max : value > spec.max)
          return `${label} must be ${spec.exclusiveMax ? 'below' : 'at most'} ${spec.max}`;
      }
      return null;
    case 'bool':
      return typeof value === 'boolean' ? null : `${label} must be true or false`;
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value)
        ? null
        : `${label} must be one of ${spec.values.join(', ')}`;
    case 'pair': {
      if (value === null && spec.optional) return null;
      if (!isPair(value)) return `${label} must be two whole numbers [height, width]`;
      const min = spec.min ?? 1;
      if (value[0] < min || value[1] < min) return `${label} must be at least ${min} on each axis`;
      return null;
    }
    case 'padding': {
      if (value === 'valid' || value === 'same') return null;
      if (
        Array.isArray(value) &&
        value.length === 2 &&
        value.every((p) => isPair(p) && p[0] >= 0 && p[1] >= 0)
      )
        return null;
      return `${label} must be "valid", "same" or [[top, bottom], [left, right]] with whole numbers >= 0`;
    }
    case 'shape':
      return Array.isArray(value) && value.length >= 1 && value.every((d) => isInt(d) && d >= 1)
        ? null
        : `${label} must be a list of positive whole numbers, e.g. [28, 28, 1]`;
  }
}

/** Accepts the short forms people write (3 for [3, 3], "SAME" for "same"). */
export function normalizeParam(spec: ParamSpec, value: unknown): unknown {
  if (spec.type === 'pair' && isInt(value)) return [value, value];
  if (spec.type === 'padding') {
    if (typeof value === 'string') return value.toLowerCase();
    if (isInt(value))
      return [
        [value, value],
        [value, value],
      ];
  }
  if (spec.type === 'enum' && typeof value === 'string' && !spec.values.includes(value)) {
    const lower = value.toLowerCase();
    const match = spec.values.find((v) => v.toLowerCase() === lower);
    if (match) return match;
  }
  return value;
}
