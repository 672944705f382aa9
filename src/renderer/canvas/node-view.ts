// What a node on the canvas shows, as plain strings: computed from the layer's
// parameter schema, so a new layer kind needs no canvas code.
import type { NodeAnalysis } from '../../shared/graph/analyze.ts';
import type { GraphNode } from '../../shared/graph/types.ts';
import type { ParamSpec, ParamValue } from '../../shared/layers/params.ts';
import { getLayer } from '../../shared/layers/registry.ts';
import { resolveParams } from '../../shared/layers/resolve.ts';
import type { ParamCount, Shape } from '../../shared/layers/spec.ts';

export interface NodeView {
  name: string;
  kind: string;
  /** The kind's label, e.g. "Conv2D". */
  label: string;
  /** The kind's palette category (its colour on the canvas), e.g. "convolution". */
  category: string;
  description: string;
  /** Key parameters, e.g. "16 filters 3x3 s1 same". */
  summary: string;
  /** Output shape with the batch axis, e.g. "(None, 26, 26, 16)". */
  shape: string;
  /** e.g. "880 params". */
  params: string;
  paramsTitle: string;
  /** Every issue message on the node, one per line; empty when there is none. */
  issues: string;
  issueCount: number;
  firstIssue: string;
  /** How many incoming connections the kind takes (0 for Input, Infinity for Add). */
  maxInputs: number;
  /** A composite block that can be expanded into its layers. */
  expandable: boolean;
  /** Set when the node came from expanding a block: that block's id. */
  blockId: string;
  blockName: string;
}

const hw = (v: readonly number[]): string => v.join('x');
/** 1 for [1, 1], 1x2 for [1, 2]. */
const square = (v: readonly number[]): string => (v.every((x) => x === v[0]) ? `${v[0]}` : hw(v));
const isPair = (v: ParamValue): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number');

function formatPadding(v: ParamValue): string | null {
  if (v === 'valid') return null; // no padding: nothing to say
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `pad ${v.flat().join('/')}`;
  return null;
}

/**
 * How well-known parameter names read on a node. Any other parameter shows only
 * when it differs from its default.
 */
const BY_NAME: Record<string, (v: ParamValue) => string | null> = {
  shape: (v) => (Array.isArray(v) ? hw(v.flat()) : null),
  filters: (v) => `${v} filters`,
  units: (v) => `${v} units`,
  layers: (v) => `${v} layers`,
  growthRate: (v) => `k=${v}`,
  kernelSize: (v) => (isPair(v) ? hw(v) : null),
  poolSize: (v) => (isPair(v) ? `pool ${hw(v)}` : null),
  strides: (v) => (isPair(v) ? `s${square(v)}` : null),
  dilation: (v) => (isPair(v) && (v[0] !== 1 || v[1] !== 1) ? `d${square(v)}` : null),
  padding: formatPadding,
  activation: (v) => (v === 'linear' ? null : String(v)),
  fn: (v) => String(v),
  rate: (v) => `rate ${v}`,
};

function formatOther(name: string, spec: ParamSpec, v: ParamValue): string | null {
  if (JSON.stringify(v) === JSON.stringify(spec.default)) return null;
  const label = (spec.label ?? name).toLowerCase();
  if (typeof v === 'boolean') return v ? label : `no ${label}`;
  if (v === null) return null;
  return `${label} ${Array.isArray(v) ? v.flat().join('x') : v}`;
}

/** "16 filters 3x3 s1 same": the parameters worth seeing without opening the inspector. */
export function summarizeParams(
  specs: Record<string, ParamSpec>,
  values: Record<string, ParamValue>,
): string {
  const parts: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    if (!(name in values)) continue;
    const v = values[name]!;
    const byName = BY_NAME[name];
    const text = byName ? byName(v) : formatOther(name, spec, v);
    if (text) parts.push(text);
  }
  return parts.join(' ');
}

export const formatShape = (shape: Shape | null): string =>
  shape ? `(None, ${shape.join(', ')})` : '(None, ?)';

export function formatParamCount(c: ParamCount): string {
  const total = c.trainable + c.nonTrainable;
  return `${total.toLocaleString('en-US')} ${total === 1 ? 'param' : 'params'}`;
}

export function nodeView(node: GraphNode, a: NodeAnalysis | undefined): NodeView {
  const spec = getLayer(node.kind);
  const values = a?.params ?? (spec ? resolveParams(spec, node.params).values : {});
  const count = a?.paramCount ?? { trainable: 0, nonTrainable: 0 };
  const issues = a?.issues ?? [];
  return {
    name: node.name,
    kind: node.kind,
    label: spec?.label ?? node.kind,
    category: spec?.category ?? 'unknown',
    description: spec?.description ?? `Unknown layer kind "${node.kind}"`,
    summary: spec ? summarizeParams(spec.params, values) : '',
    shape: a?.outputShape ? formatShape(a.outputShape) : 'shape unknown',
    params: formatParamCount(count),
    paramsTitle:
      `${count.trainable.toLocaleString('en-US')} trainable, ` +
      `${count.nonTrainable.toLocaleString('en-US')} non-trainable`,
    issues: issues.map((i) => `${i.code}: ${i.message}`).join('\n'),
    issueCount: issues.length,
    firstIssue: issues[0]?.message ?? '',
    maxInputs: spec?.inputs.max ?? 1,
    expandable: !!spec?.expand,
    blockId: node.block?.id ?? '',
    blockName: node.block?.name ?? '',
  };
}

// One view per (node object, analysis): dragging a node replaces only that node's
// object, so the other nodes' selectors return the cached view.
const cache = new WeakMap<GraphNode, { a: NodeAnalysis | undefined; view: NodeView }>();

export function cachedNodeView(node: GraphNode, a: NodeAnalysis | undefined): NodeView {
  const hit = cache.get(node);
  if (hit && hit.a === a) return hit.view;
  const view = nodeView(node, a);
  cache.set(node, { a, view });
  return view;
}

const indexes = new WeakMap<readonly GraphNode[], Map<string, GraphNode>>();

/** The nodes by id, built once per nodes array. */
export function nodeIndex(nodes: readonly GraphNode[]): Map<string, GraphNode> {
  let index = indexes.get(nodes);
  if (!index) {
    index = new Map();
    for (const n of nodes) if (!index.has(n.id)) index.set(n.id, n);
    indexes.set(nodes, index);
  }
  return index;
}
