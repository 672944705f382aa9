// `netforge templates`: the built-in networks, as a table or as JSON.
import { TEMPLATES } from '../../shared/templates/index.ts';
import { analyzeGraph } from '../../shared/graph/analyze.ts';

export function templatesCommand(json: boolean): number {
  if (json) {
    const rows = TEMPLATES.map((t) => {
      const a = analyzeGraph(t.build());
      return {
        id: t.id,
        title: t.title,
        section: t.section,
        dataset: t.dataset,
        totalParams: a.totals.total,
      };
    });
    console.log(JSON.stringify(rows));
    return 0;
  }
  const rows = TEMPLATES.map((t) => [
    t.id,
    t.dataset,
    analyzeGraph(t.build()).totals.total.toLocaleString('en-US'),
    `${t.title} (${t.section})`,
  ]);
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)) + 2);
  for (const r of rows)
    console.log(
      `${r[0]!.padEnd(w[0]!)}${r[1]!.padEnd(w[1]!)}${r[2]!.padStart(w[2]! - 2)}  ${r[3]}`,
    );
  return 0;
}
