// A composite block is one node in the editor and a small fixed graph of
// primitive layers underneath. Its shape and counts come from that graph, so
// they cannot drift from what the compiler builds.
import type { ParamSpecs, ParamValue, ParamValues } from '../layers/params.ts';
import { resolveParams } from '../layers/resolve.ts';
import {
  LayerError,
  type AnyLayerSpec,
  type Apply,
  type ParamCount,
  type Shape,
  type SymbolicTensor,
  defineLayer,
} from '../layers/spec.ts';

/** The block's own input is referred to by this id. */
export const BLOCK_INPUT = 'in';

export interface FragmentNode {
  id: string;
  layer: AnyLayerSpec;
  params: Record<string, ParamValue>;
  /** Ids of earlier fragment nodes, or BLOCK_INPUT; in order. */
  inputs: string[];
}

export interface Fragment {
  nodes: FragmentNode[];
  output: string;
}

export const node = (
  id: string,
  layer: AnyLayerSpec,
  params: Record<string, ParamValue>,
  inputs: string[],
): FragmentNode => ({ id, layer, params, inputs });

interface Evaluated {
  shapes: Map<string, Shape>;
  counts: ParamCount;
  multiplyAdds: number;
}

function evaluate(f: Fragment, input: Shape): Evaluated {
  const shapes = new Map<string, Shape>([[BLOCK_INPUT, input]]);
  const counts = { trainable: 0, nonTrainable: 0 };
  let multiplyAdds = 0;
  for (const n of f.nodes) {
    const { values, errors } = resolveParams(n.layer, n.params);
    if (errors.length) throw new LayerError('E_PARAM', errors.join('; '));
    const ins = n.inputs.map((id) => shapes.get(id)!);
    let out: Shape;
    try {
      out = n.layer.outputShape(ins, values);
    } catch (e) {
      if (e instanceof LayerError)
        throw new LayerError(e.code, `inside the block, ${n.id}: ${e.message}`);
      throw e;
    }
    const c = n.layer.paramCount(ins, values);
    counts.trainable += c.trainable;
    counts.nonTrainable += c.nonTrainable;
    multiplyAdds += n.layer.multiplyAdds(ins, values, out);
    shapes.set(n.id, out);
  }
  return { shapes, counts, multiplyAdds };
}

const valuesOf = (n: FragmentNode) => resolveParams(n.layer, n.params).values;

export interface BlockDefinition<P extends ParamSpecs> {
  kind: string;
  label: string;
  description: string;
  params: P;
  checkParams?: (p: ParamValues<P>) => string | null;
  expand: (p: ParamValues<P>) => Fragment;
}

export function defineBlock<const P extends ParamSpecs>(def: BlockDefinition<P>): AnyLayerSpec {
  const spec = defineLayer<P>({
    kind: def.kind,
    label: def.label,
    category: 'block',
    description: def.description,
    params: def.params,
    inputs: { min: 1, max: 1 },
    ...(def.checkParams ? { checkParams: def.checkParams } : {}),
    outputShape: ([x], p) => {
      const f = def.expand(p);
      return evaluate(f, x!).shapes.get(f.output)!;
    },
    paramCount: ([x], p) => evaluate(def.expand(p), x!).counts,
    multiplyAdds: ([x], p) => evaluate(def.expand(p), x!).multiplyAdds,
    build: (tf, p, { name }): Apply => {
      const f = def.expand(p);
      const appliers = f.nodes.map((n) => {
        const { values } = resolveParams(n.layer, n.params);
        return { n, apply: n.layer.build(tf, values, { name: `${name}_${n.id}` }) };
      });
      return (xs) => {
        const tensors = new Map<string, SymbolicTensor>([[BLOCK_INPUT, xs[0]!]]);
        for (const { n, apply } of appliers)
          tensors.set(n.id, apply(n.inputs.map((id) => tensors.get(id)!)));
        return tensors.get(f.output)!;
      };
    },
    // A block is what its layers are. Their kinds are in the registry, which registers their
    // custom classes itself, so the block has none of its own to register.
    needsCustomClass: (p) => def.expand(p).nodes.some((n) => n.layer.needsCustomClass(valuesOf(n))),
    registerCustomClass: null,
    producesSoftmax: (p) => {
      const f = def.expand(p);
      const out = f.nodes.find((n) => n.id === f.output);
      return out ? out.layer.producesSoftmax(valuesOf(out)) : false;
    },
  });
  return { ...spec, expand: def.expand as unknown as AnyLayerSpec['expand'] };
}
