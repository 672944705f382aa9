import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../src/shared/graph/analyze.ts';
import { collapseBlock, expandBlock, BlockOpError } from '../../src/shared/graph/block-ops.ts';
import { flattenNetwork } from '../../src/shared/graph/layers.ts';
import {
  activationValues,
  estimateTrainingMemory,
  formatBytes,
} from '../../src/shared/graph/memory.ts';
import type { GraphDoc } from '../../src/shared/graph/types.ts';
import { getLayer } from '../../src/shared/layers/registry.ts';
import { TEMPLATES, getTemplate } from '../../src/shared/templates/index.ts';

describe('expanding and collapsing blocks', () => {
  it.each(['resnet18', 'densenet', 'inception'])(
    '%s: every block expands to layers with the same totals, and collapses back',
    (id) => {
      const doc = getTemplate(id)!.build();
      const before = analyzeGraph(doc).totals;
      let expanded = doc;
      const blocks = doc.nodes.filter((n) => /Block|Module/.test(n.kind));
      expect(blocks.length).toBeGreaterThan(0);
      for (const b of blocks) expanded = expandBlock(expanded, b.id).doc;
      const mid = analyzeGraph(expanded);
      expect(mid.issues).toEqual([]);
      expect(mid.totals).toEqual(before);
      expect(expanded.nodes.some((n) => /Block|Module/.test(n.kind))).toBe(false);
      let collapsed = expanded;
      for (const b of blocks) collapsed = collapseBlock(collapsed, b.id).doc;
      const after = analyzeGraph(collapsed);
      expect(after.issues).toEqual([]);
      expect(after.totals).toEqual(before);
      expect(collapsed.nodes.length).toBe(doc.nodes.length);
    },
  );

  it('names expanded layers after the block', () => {
    const doc = getTemplate('resnet18')!.build();
    const b = doc.nodes.find((n) => n.name === 'stage2_block1')!;
    const { doc: e } = expandBlock(doc, b.id);
    expect(e.nodes.map((n) => n.name)).toContain('stage2_block1_shortcut');
  });

  it('refuses to expand a plain layer or collapse layers that were not a block', () => {
    const doc = getTemplate('lenet5')!.build();
    expect(() => expandBlock(doc, doc.nodes[1]!.id)).toThrow(BlockOpError);
    expect(() => collapseBlock(doc, 'nope')).toThrow(/did not come from expanding a block/);
  });
});

describe('training memory estimate', () => {
  it('counts weights, gradients and optimizer slots, plus activations per sample', () => {
    const a = analyzeGraph(getTemplate('mlp')!.build());
    const sgd = estimateTrainingMemory(a, 32, 'sgd');
    const adam = estimateTrainingMemory(a, 32, 'adam');
    expect(sgd.parameterBytes).toBe(335_114 * 4 * 2);
    expect(adam.parameterBytes).toBe(335_114 * 4 * 4);
    // input 784 + flatten 784 + 3 x 256 + 10 values per sample, forward and backward
    expect(sgd.activationBytes).toBe((784 + 784 + 768 + 10) * 32 * 4 * 2);
    expect(estimateTrainingMemory(a, 64).activationBytes).toBe(2 * sgd.activationBytes);
    expect(formatBytes(sgd.totalBytes)).toMatch(/MB$/);
  });
  it('is defined for every template', () => {
    for (const t of TEMPLATES)
      expect(estimateTrainingMemory(analyzeGraph(t.build()), 1).totalBytes).toBeGreaterThan(0);
  });
});

describe('training memory estimate of blocks', () => {
  /** Every block of `doc` expanded into its layers. */
  const expandAll = (doc: GraphDoc): GraphDoc => {
    let out = doc;
    for (const n of doc.nodes) if (getLayer(n.kind)?.expand) out = expandBlock(out, n.id).doc;
    return out;
  };

  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    '%s: the same estimate collapsed and fully expanded, counting every layer the engine builds',
    (_id, t) => {
      const doc = t.build();
      const expanded = expandAll(doc);
      const collapsed = estimateTrainingMemory(analyzeGraph(doc), 32, 'adam');
      expect(estimateTrainingMemory(analyzeGraph(expanded), 32, 'adam')).toEqual(collapsed);
      // The activations are those of the layers flattenNetwork lists (the ones tfjs builds).
      const values = flattenNetwork(doc).layers.reduce(
        (sum, l) => sum + l.outputShape.reduce((x, y) => x * y, 1),
        0,
      );
      expect(collapsed.activationBytes).toBe(values * 32 * 4 * 2);
    },
  );

  it('counts the layers inside a block, not only its output', () => {
    const doc = getTemplate('resnet18')!.build();
    const block = analyzeGraph(doc).nodes.get(
      doc.nodes.find((n) => n.name === 'stage1_block1')!.id,
    )!;
    const output = block.outputShape!.reduce((x, y) => x * y, 1);
    expect(activationValues(block)).toBeGreaterThan(4 * output);
  });
});
