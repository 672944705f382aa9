import { checkParam, normalizeParam, type ParamValue } from './params.ts';
import type { AnyLayerSpec } from './spec.ts';

export interface ResolvedParams {
  values: Record<string, ParamValue>;
  /** One message per bad parameter, naming it. */
  errors: string[];
}

/** Fills defaults, accepts short forms, and checks every value against the spec. */
export function resolveParams(
  spec: AnyLayerSpec,
  raw: Record<string, unknown> = {},
): ResolvedParams {
  const values: Record<string, ParamValue> = {};
  const errors: string[] = [];
  for (const [name, ps] of Object.entries(spec.params)) {
    const given = name in raw ? raw[name] : ps.default;
    const v = normalizeParam(ps, given);
    const err = checkParam(name, ps, v);
    if (err) errors.push(err);
    else values[name] = v as ParamValue;
  }
  for (const name of Object.keys(raw)) {
    if (!(name in spec.params)) errors.push(`${spec.label} has no parameter "${name}"`);
  }
  if (errors.length === 0 && spec.checkParams) {
    const err = spec.checkParams(values);
    if (err) errors.push(err);
  }
  return { values, errors };
}
