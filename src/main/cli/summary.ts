// `netforge summary`: a network's layers, output shapes and parameter counts (Keras-style), and
// its faults; exits 1 when it has any.
import { analyzeGraph } from '../../shared/graph/analyze.ts';
import { summarize, formatSummary } from '../../shared/graph/summary.ts';
import { DESIGN_KINDS, loadDesign } from './design.ts';
import { UsageError } from './options.ts';

export async function summaryCommand(ref: string | undefined, json: boolean): Promise<number> {
  if (!ref)
    throw new UsageError(`summary needs ${DESIGN_KINDS}, e.g. \`netforge summary lenet5\`.`);
  const doc = (await loadDesign(ref)).graph;
  const analysis = analyzeGraph(doc);
  const s = summarize(doc, analysis);
  if (json)
    console.log(JSON.stringify(analysis.issues.length ? { ...s, issues: analysis.issues } : s));
  else {
    console.log(formatSummary(doc.name, s));
    for (const i of analysis.issues) console.error(`[${i.code}] ${i.message}`);
  }
  return analysis.issues.length ? 1 : 0;
}
