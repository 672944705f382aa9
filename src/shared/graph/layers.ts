// The network as the engines build it: every primitive layer in topological order, blocks
// expanded into their parts (named `<block>_<part>`, as the tfjs compiler names them), each with
// its resolved parameters, its inputs by name and its shapes. Exporters and code generators walk
// this list, so what they write has the same layers, names and weights as the trained model.
import { BLOCK_INPUT } from '../blocks/fragment.ts';
import type { Shape } from '../layers/spec.ts';
import type { ParamValue } from '../layers/params.ts';
import { resolveParams } from '../layers/resolve.ts';
import type { AnyLayerSpec } from '../layers/spec.ts';
import { analyzeGraph } from './analyze.ts';
import { incomingEdges } from './topology.ts';
import type { GraphDoc } from './types.ts';

export interface FlatLayer {
  /** The layer's name in the tfjs model (and in every export). */
  name: string;
  kind: string;
  spec: AnyLayerSpec;
  params: Record<string, ParamValue>;
  /** Names of the layers feeding it, in order (none for the input). */
  inputs: string[];
  inputShapes: Shape[];
  outputShape: Shape;
  /** The editor node it comes from (a block's id for a block's parts). */
  nodeId: string;
  /** Set for a block's parts: the block's node name. */
  block: string | null;
}

export interface FlatNetwork {
  layers: FlatLayer[];
  input: FlatLayer;
  output: FlatLayer;
}

export class FlatGraphError extends Error {}

/**
 * A block node's primitive layers, named `<block>_<part>`, with their shapes, fed by the layer
 * named `input` of shape `inputShape`; `output` is the name of the part that gives the block's
 * output. Throws the parts' LayerError when the input does not fit them.
 */
export function blockLayers(
  blockName: string,
  spec: AnyLayerSpec,
  params: Record<string, ParamValue>,
  input: string,
  inputShape: Shape,
  nodeId: string,
): { layers: FlatLayer[]; output: string } {
  const f = spec.expand!(params);
  const local = new Map<string, string>([[BLOCK_INPUT, input]]);
  const shapeOf = new Map<string, Shape>([[input, inputShape]]);
  const layers: FlatLayer[] = [];
  for (const part of f.nodes) {
    const name = `${blockName}_${part.id}`;
    const ins = part.inputs.map((p) => local.get(p)!);
    const shapes = ins.map((i) => shapeOf.get(i)!);
    const { values } = resolveParams(part.layer, part.params);
    const out = part.layer.outputShape(shapes, values);
    layers.push({
      name,
      kind: part.layer.kind,
      spec: part.layer,
      params: values,
      inputs: ins,
      inputShapes: shapes,
      outputShape: out,
      nodeId,
      block: blockName,
    });
    local.set(part.id, name);
    shapeOf.set(name, out);
  }
  return { layers, output: local.get(f.output)! };
}

/**
 * The primitive layers of a valid graph. Throws FlatGraphError for a graph with problems (the
 * caller checks them first: preflight in the engine, the Problems list in the editor).
 */
export function flattenNetwork(doc: GraphDoc): FlatNetwork {
  const a = analyzeGraph(doc);
  if (!a.valid || !a.inputId || !a.outputId)
    throw new FlatGraphError(
      `The graph "${doc.name}" has problems (${a.issues.map((i) => i.code).join(', ') || 'no input or output'}); fix them first.`,
    );
  const incoming = incomingEdges(doc);
  /** The name of the layer that produces each node's output. */
  const outputName = new Map<string, string>();
  const shapeOf = new Map<string, Shape>();
  const layers: FlatLayer[] = [];
  for (const id of a.order) {
    const n = a.nodes.get(id)!;
    const spec = n.spec!;
    const inputs = (incoming.get(id) ?? []).map((e) => outputName.get(e.source)!);
    const inputShapes = inputs.map((name) => shapeOf.get(name)!);
    if (spec.expand) {
      const parts = blockLayers(n.name, spec, n.params!, inputs[0]!, inputShapes[0]!, id);
      for (const part of parts.layers) {
        layers.push(part);
        shapeOf.set(part.name, part.outputShape);
      }
      outputName.set(id, parts.output);
      continue;
    }
    layers.push({
      name: n.name,
      kind: n.kind,
      spec,
      params: n.params!,
      inputs,
      inputShapes,
      outputShape: n.outputShape!,
      nodeId: id,
      block: null,
    });
    outputName.set(id, n.name);
    shapeOf.set(n.name, n.outputShape!);
  }
  const byName = new Map(layers.map((l) => [l.name, l]));
  return {
    layers,
    input: byName.get(outputName.get(a.inputId)!)!,
    output: byName.get(outputName.get(a.outputId)!)!,
  };
}
