// Between a parameter's value and the text in its inputs. The inspector keeps
// what the user typed ("drafts") and commits only values that pass the spec.
import {
  checkParam,
  normalizeParam,
  type ParamSpec,
  type ParamValue,
} from '../../shared/layers/params.ts';
import { resolveParams } from '../../shared/layers/resolve.ts';
import type { AnyLayerSpec } from '../../shared/layers/spec.ts';

/** Empty text is not zero: it fails validation instead of committing 0. */
const num = (text: string): number => (text.trim() === '' ? NaN : Number(text));

const isArray = (v: unknown): v is unknown[] => Array.isArray(v);

/** The text of each input a parameter shows (one for numbers, two for pairs, ...). */
export function toDrafts(spec: ParamSpec, value: unknown): string[] {
  switch (spec.type) {
    case 'int':
    case 'float':
      return [typeof value === 'number' ? String(value) : ''];
    case 'pair':
      return isArray(value) ? value.map(String) : ['', ''];
    case 'padding':
      return isArray(value)
        ? value.flatMap((p) => (isArray(p) ? p.map(String) : []))
        : ['0', '0', '0', '0'];
    case 'shape':
      return [isArray(value) ? value.join(', ') : ''];
    default:
      return [];
  }
}

/** The value the drafts spell, unchecked; `[28, 28, 1]` and `28 28 1` both read as a shape. */
export function fromDrafts(spec: ParamSpec, drafts: readonly string[]): unknown {
  const d = (i: number): string => drafts[i] ?? '';
  switch (spec.type) {
    case 'int':
    case 'float':
      return num(d(0));
    case 'pair':
      return [num(d(0)), num(d(1))];
    case 'padding':
      return [
        [num(d(0)), num(d(1))],
        [num(d(2)), num(d(3))],
      ];
    case 'shape': {
      const parts = d(0)
        .replace(/[[\]()]/g, '')
        .trim();
      return parts === ''
        ? []
        : parts
            .split(/[\s,]+/)
            .filter(Boolean)
            .map(num);
    }
    default:
      return undefined;
  }
}

export type Checked = { ok: true; value: ParamValue } | { ok: false; error: string };

/**
 * Checks one candidate value in the context of the node's other parameters.
 * Errors the node already had (say, from a hand-edited file) do not block it;
 * only problems this value introduces do.
 */
export function checkCandidate(
  layer: AnyLayerSpec,
  params: Readonly<Record<string, unknown>>,
  name: string,
  candidate: unknown,
): Checked {
  const spec = layer.params[name];
  if (!spec) return { ok: false, error: `${layer.label} has no parameter "${name}"` };
  const value = normalizeParam(spec, candidate);
  const own = checkParam(name, spec, value);
  if (own) return { ok: false, error: own };
  const before = new Set(resolveParams(layer, params).errors);
  const added = resolveParams(layer, { ...params, [name]: value }).errors.filter(
    (e) => !before.has(e),
  );
  if (added.length) return { ok: false, error: added.join('; ') };
  return { ok: true, value: value as ParamValue };
}

/** The value to show: what the node holds (short forms expanded), else the default. */
export function shownValue(
  spec: ParamSpec,
  params: Readonly<Record<string, unknown>>,
  name: string,
) {
  return name in params ? normalizeParam(spec, params[name]) : spec.default;
}

export const sameValue = (a: unknown, b: unknown): boolean =>
  JSON.stringify(a) === JSON.stringify(b);
