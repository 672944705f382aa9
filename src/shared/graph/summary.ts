// The Keras-style summary: one row per node in topological order, then totals.
import { analyzeGraph, type GraphAnalysis } from './analyze.ts';
import type { GraphDoc } from './types.ts';

export interface SummaryRow {
  name: string;
  kind: string;
  /** With the batch axis first, as null (Keras prints it as None). */
  outputShape: (number | null)[] | null;
  params: number;
}

export interface Summary {
  layers: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  multiplyAdds: number;
}

export function summarize(doc: GraphDoc, analysis: GraphAnalysis = analyzeGraph(doc)): Summary {
  return {
    layers: analysis.order.map((id) => {
      const n = analysis.nodes.get(id)!;
      return {
        name: n.name,
        kind: n.kind,
        outputShape: n.outputShape ? [null, ...n.outputShape] : null,
        params: n.paramCount.trainable + n.paramCount.nonTrainable,
      };
    }),
    totalParams: analysis.totals.total,
    trainableParams: analysis.totals.trainable,
    nonTrainableParams: analysis.totals.nonTrainable,
    multiplyAdds: analysis.totals.multiplyAdds,
  };
}

const num = (n: number): string => n.toLocaleString('en-US');

/** The summary as a fixed-width text table, like Keras's model.summary(). */
export function formatSummary(title: string, s: Summary): string {
  const rows = s.layers.map((l) => [
    `${l.name} (${l.kind})`,
    l.outputShape ? `(${l.outputShape.map((d) => (d === null ? 'None' : d)).join(', ')})` : '?',
    num(l.params),
  ]);
  const head = ['Layer (type)', 'Output Shape', 'Param #'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
  const line = (r: string[]): string => r.map((c, i) => (i === 2 ? c : c.padEnd(w[i]!))).join('');
  const rule = (ch: string): string => ch.repeat(w[0]! + w[1]! + w[2]!);
  return [
    `Model: "${title}"`,
    rule('_'),
    line(head),
    rule('='),
    ...rows.flatMap((r, i) => [line(r), i < rows.length - 1 ? rule('_') : '']).filter(Boolean),
    rule('='),
    `Total params: ${num(s.totalParams)}`,
    `Trainable params: ${num(s.trainableParams)}`,
    `Non-trainable params: ${num(s.nonTrainableParams)}`,
    `Multiply-adds per sample: ${num(s.multiplyAdds)}`,
    rule('_'),
  ].join('\n');
}
