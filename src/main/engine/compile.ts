// Graph document -> tf.LayersModel with the functional API. Blocks build their
// primitive layers (named <block>_<part>), so skip connections and
// concatenations come out as ordinary tfjs layers.
import type * as TF from '@tensorflow/tfjs';
import { analyzeGraph, type GraphIssue } from '../../shared/graph/analyze.ts';
import { CodedError } from '../../shared/errors.ts';
import { incomingEdges } from '../../shared/graph/topology.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';

export class CompileError extends CodedError {
  constructor(readonly issues: GraphIssue[]) {
    super(
      'E_GRAPH',
      `The graph cannot be compiled: ${issues
        .slice(0, 5)
        .map((i) => `[${i.code}] ${i.message}`)
        .join(' ')}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}`,
    );
    this.name = 'CompileError';
  }
}

export function compileGraph(tf: typeof TF, doc: GraphDoc): TF.LayersModel {
  const analysis = analyzeGraph(doc);
  if (!analysis.valid || !analysis.inputId || !analysis.outputId)
    throw new CompileError(analysis.issues);
  const incoming = incomingEdges(doc);
  const tensors = new Map<string, TF.SymbolicTensor>();
  let input: TF.SymbolicTensor | undefined;
  for (const id of analysis.order) {
    const node = analysis.nodes.get(id)!;
    if (node.kind === 'input') {
      input = tf.input({ shape: node.outputShape!, name: node.name });
      tensors.set(id, input);
      continue;
    }
    const apply = node.spec!.build(tf, node.params!, { name: node.name });
    const inputs = (incoming.get(id) ?? []).map((e) => tensors.get(e.source)!);
    tensors.set(id, apply(inputs));
  }
  return tf.model({
    inputs: input!,
    outputs: tensors.get(analysis.outputId)!,
    name: modelName(doc.name),
  });
}

/** tfjs model names end up in file names and Keras code: keep them to [A-Za-z0-9_]. */
export const modelName = (title: string): string =>
  title
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase() || 'model';
