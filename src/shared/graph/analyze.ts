// Validation and shape inference across the DAG. Pure and fast: the editor
// runs it after every edit; the compiler refuses a graph with issues.
import type { ErrorCode } from '../errors.ts';
import type { ParamValue } from '../layers/params.ts';
import { resolveParams } from '../layers/resolve.ts';
import { getLayer } from '../layers/registry.ts';
import { LayerError, type AnyLayerSpec, type ParamCount, type Shape } from '../layers/spec.ts';
import { incomingEdges, outgoingEdges, reachable, topologicalOrder } from './topology.ts';
import { DATASET_INFO, type GraphDoc, type GraphNode } from './types.ts';

export interface GraphIssue {
  code: ErrorCode;
  message: string;
  nodeId?: string;
  edgeId?: string;
}

export interface NodeAnalysis {
  id: string;
  name: string;
  kind: string;
  spec: AnyLayerSpec | undefined;
  params: Record<string, ParamValue> | undefined;
  inputShapes: Shape[];
  /** Null when it cannot be known (an error here or upstream). */
  outputShape: Shape | null;
  paramCount: ParamCount;
  multiplyAdds: number;
  issues: GraphIssue[];
}

export interface GraphAnalysis {
  /** Node ids in topological order (nodes on cycles left out). */
  order: string[];
  nodes: Map<string, NodeAnalysis>;
  /** Every issue, including those also listed on their node. */
  issues: GraphIssue[];
  inputId: string | null;
  outputId: string | null;
  totals: { total: number; trainable: number; nonTrainable: number; multiplyAdds: number };
  valid: boolean;
}

const fmt = (s: Shape): string => `[${s.join(', ')}]`;

type Inferred =
  { outputShape: Shape; paramCount: ParamCount; multiplyAdds: number } | { error: LayerError };

/**
 * Per-node results, remembered by node object. Editing ops replace only the
 * nodes they change, so after an edit every other node whose input shapes are
 * unchanged is answered from here: re-inference costs little more than a walk.
 */
interface NodeMemo {
  spec: AnyLayerSpec;
  resolved: ReturnType<typeof resolveParams>;
  inputKey: string | null;
  inferred: Inferred | null;
}
const memos = new WeakMap<GraphNode, NodeMemo>();

function memoOf(node: GraphNode, spec: AnyLayerSpec): NodeMemo {
  const known = memos.get(node);
  if (known && known.spec === spec) return known;
  const memo: NodeMemo = {
    spec,
    resolved: resolveParams(spec, node.params),
    inputKey: null,
    inferred: null,
  };
  memos.set(node, memo);
  return memo;
}

function inferNode(
  memo: NodeMemo,
  spec: AnyLayerSpec,
  inputs: Shape[],
  values: Record<string, ParamValue>,
): Inferred {
  const key = inputs.map((s) => s.join(',')).join('|');
  if (memo.inputKey === key && memo.inferred) return memo.inferred;
  let inferred: Inferred;
  try {
    const outputShape = spec.outputShape(inputs, values);
    inferred = {
      outputShape,
      paramCount: spec.paramCount(inputs, values),
      multiplyAdds: spec.multiplyAdds(inputs, values, outputShape),
    };
  } catch (e) {
    if (!(e instanceof LayerError)) throw e;
    inferred = { error: e };
  }
  memo.inputKey = key;
  memo.inferred = inferred;
  return inferred;
}

export function analyzeGraph(doc: GraphDoc): GraphAnalysis {
  const issues: GraphIssue[] = [];
  const nodes = new Map<string, NodeAnalysis>();
  const flag = (i: GraphIssue): void => {
    issues.push(i);
    if (i.nodeId) nodes.get(i.nodeId)?.issues.push(i);
  };

  const names = new Set<string>();
  for (const n of doc.nodes) {
    if (nodes.has(n.id)) {
      flag({
        code: 'E_DUPLICATE_ID',
        nodeId: n.id,
        message: `${n.name} has the id "${n.id}" of another node; give it an id of its own (or delete it).`,
      });
      continue;
    }
    nodes.set(n.id, {
      id: n.id,
      name: n.name,
      kind: n.kind,
      spec: getLayer(n.kind),
      params: undefined,
      inputShapes: [],
      outputShape: null,
      paramCount: { trainable: 0, nonTrainable: 0 },
      multiplyAdds: 0,
      issues: [],
    });
    if (names.has(n.name))
      flag({
        code: 'E_DUPLICATE_ID',
        nodeId: n.id,
        message: `Another layer is also named "${n.name}"; rename one.`,
      });
    names.add(n.name);
    if (!getLayer(n.kind))
      flag({
        code: 'E_UNKNOWN_KIND',
        nodeId: n.id,
        message: `${n.name} has the layer kind "${n.kind}", which this Netforge does not know: delete this node or change its kind.`,
      });
  }

  const seenEdges = new Set<string>();
  for (const e of doc.edges) {
    if (!nodes.has(e.source) || !nodes.has(e.target)) {
      const known = nodes.get(e.source) ?? nodes.get(e.target);
      const missing = nodes.has(e.source) ? e.target : e.source;
      flag({
        code: 'E_BAD_EDGE',
        edgeId: e.id,
        message: `The connection ${e.id}${known ? ` at ${known.name}` : ''} leads to node "${missing}", which does not exist: delete the connection.`,
      });
      continue;
    }
    const key = `${e.source}->${e.target}`;
    if (seenEdges.has(key))
      flag({
        code: 'E_BAD_EDGE',
        edgeId: e.id,
        nodeId: e.target,
        message: `${nodes.get(e.source)!.name} is connected to ${nodes.get(e.target)!.name} twice; delete one of the connections.`,
      });
    seenEdges.add(key);
  }

  const { order, cyclic } = topologicalOrder(doc);
  // `cyclic` also holds nodes merely downstream of a loop; flag only those on one.
  const onCycle = cyclic.filter((id) => {
    const next = doc.edges.filter((e) => e.source === id).map((e) => e.target);
    return reachable(doc, next).has(id);
  });
  if (onCycle.length) {
    const on = new Set(onCycle);
    const names = onCycle.map((id) => nodes.get(id)?.name ?? id).join(', ');
    for (const id of onCycle)
      flag({
        code: 'E_CYCLE',
        nodeId: id,
        message: `This layer is on a cycle (${names}); remove an edge so data flows one way.`,
      });
    for (const e of doc.edges)
      if (on.has(e.source) && on.has(e.target))
        issues.push({
          code: 'E_CYCLE',
          edgeId: e.id,
          message: `The connection from ${nodes.get(e.source)!.name} to ${nodes.get(e.target)!.name} is part of a loop: remove it or another connection of the loop.`,
        });
  }

  const incoming = incomingEdges(doc);
  const docNodes = new Map(doc.nodes.map((n) => [n.id, n]));
  for (const id of order) {
    const a = nodes.get(id)!;
    const spec = a.spec;
    if (!spec) continue;
    const docNode = docNodes.get(id)!;
    const memo = memoOf(docNode, spec);
    const { values, errors } = memo.resolved;
    for (const message of errors)
      flag({ code: 'E_PARAM', nodeId: id, message: `${a.name}: ${message}.` });
    if (errors.length) continue;
    a.params = values;
    const ins = (incoming.get(id) ?? []).filter((e) => nodes.has(e.source));
    if (ins.length < spec.inputs.min) {
      flag({
        code: 'E_MISSING_INPUT',
        nodeId: id,
        message:
          spec.inputs.min === 1
            ? `${a.name} has no input: connect a layer to it.`
            : `${a.name} needs at least ${spec.inputs.min} inputs; it has ${ins.length}.`,
      });
      continue;
    }
    if (ins.length > spec.inputs.max) {
      flag({
        code: 'E_TOO_MANY_INPUTS',
        nodeId: id,
        message:
          spec.inputs.max === 0
            ? `${a.name} is an Input and takes no incoming connection; remove it.`
            : `${a.name} takes ${spec.inputs.max} input${spec.inputs.max > 1 ? 's' : ''} but has ${ins.length}; ` +
              'join branches with Add or Concatenate first.',
      });
      continue;
    }
    const shapes = ins.map((e) => nodes.get(e.source)!.outputShape);
    if (shapes.some((s) => s === null)) continue; // the cause is reported upstream
    a.inputShapes = shapes as Shape[];
    const r = inferNode(memo, spec, a.inputShapes, values);
    if ('error' in r) {
      a.outputShape = null;
      flag({ code: r.error.code, nodeId: id, message: `${a.name}: ${r.error.message}` });
    } else {
      a.outputShape = r.outputShape;
      a.paramCount = r.paramCount;
      a.multiplyAdds = r.multiplyAdds;
    }
  }

  // Endpoints: exactly one Input and one output, connected.
  const inputs = doc.nodes.filter((n) => n.kind === 'input');
  if (doc.nodes.length > 0 && inputs.length === 0)
    flag({
      code: 'E_NO_INPUT',
      message: 'The network has no Input layer: add one from the palette.',
    });
  for (const extra of inputs.slice(1))
    flag({
      code: 'E_MULTIPLE_INPUTS',
      nodeId: extra.id,
      message: `${extra.name}: a network takes one Input; delete this one.`,
    });
  const inputId = inputs[0]?.id ?? null;

  const outgoing = outgoingEdges(doc);
  const sinks = doc.nodes.filter(
    (n) => n.kind !== 'input' && (outgoing.get(n.id) ?? []).length === 0,
  );
  let outputId: string | null = null;
  if (doc.nodes.length > 0 && sinks.length === 0 && inputs.length > 0 && cyclic.length === 0)
    flag({
      code: 'E_NO_OUTPUT',
      message: 'The network has no output layer: connect a layer after the Input.',
    });
  if (sinks.length > 1) {
    for (const s of sinks)
      flag({
        code: 'E_MULTIPLE_OUTPUTS',
        nodeId: s.id,
        message: `${s.name}'s output goes nowhere, and so does another layer's; a network has one output: connect or delete the extra ones.`,
      });
  } else if (sinks.length === 1) {
    outputId = sinks[0]!.id;
  }

  if (inputId) {
    const fromInput = reachable(doc, [inputId]);
    for (const n of doc.nodes) {
      if (n.id === inputId || fromInput.has(n.id)) continue;
      flag({
        code: 'E_NO_PATH',
        nodeId: n.id,
        message: `${n.name} is not connected to the Input: connect it or delete it.`,
      });
    }
  }

  if (doc.dataset && outputId) {
    const info = DATASET_INFO[doc.dataset];
    const out = nodes.get(outputId)!;
    if (out.outputShape && fmt(out.outputShape) !== fmt([info.classes]))
      flag({
        code: 'E_OUTPUT_SHAPE',
        nodeId: outputId,
        message:
          `${out.name} outputs [batch, ${out.outputShape.join(', ')}] but a ${info.label} classifier must output ` +
          `[batch, ${info.classes}]: end with Flatten (or GlobalAveragePooling2D) and Dense ${info.classes}.`,
      });
    const inp = inputId ? nodes.get(inputId)! : undefined;
    if (inp?.outputShape && fmt(inp.outputShape) !== fmt(info.inputShape))
      flag({
        code: 'E_INPUT_SHAPE',
        nodeId: inputId!,
        message: `${inp.name} has shape ${fmt(inp.outputShape)} but ${info.label} images are ${fmt(info.inputShape)}; set the Input's shape to ${fmt(info.inputShape)}.`,
      });
  }

  const totals = { total: 0, trainable: 0, nonTrainable: 0, multiplyAdds: 0 };
  for (const a of nodes.values()) {
    totals.trainable += a.paramCount.trainable;
    totals.nonTrainable += a.paramCount.nonTrainable;
    totals.multiplyAdds += a.multiplyAdds;
  }
  totals.total = totals.trainable + totals.nonTrainable;

  return {
    order,
    nodes,
    issues,
    inputId,
    outputId,
    totals,
    valid: issues.length === 0 && doc.nodes.length > 0,
  };
}
