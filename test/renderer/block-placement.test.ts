// Expanding a block in place: its layers take the block's place laid out in layers, what follows
// moves on so that no two nodes overlap, and collapsing gives every node its old position back.
import { describe, expect, it } from 'vitest';
import { collapseBlock, expandBlock } from '../../src/shared/graph/block-ops.ts';
import { layoutFragment } from '../../src/shared/graph/block-placement.ts';
import type { GraphDoc } from '../../src/shared/graph/types.ts';
import { getLayer } from '../../src/shared/layers/registry.ts';
import { resolveParams } from '../../src/shared/layers/resolve.ts';
import { getTemplate } from '../../src/shared/templates/index.ts';
import { autoLayout, type LayoutMode } from '../../src/renderer/layout/auto-layout.ts';

const SIZE = { width: 220, height: 90 };

/** Pairs of nodes whose boxes overlap. */
function overlaps(doc: GraphDoc): string[] {
  const out: string[] = [];
  for (let i = 0; i < doc.nodes.length; i++)
    for (let j = i + 1; j < doc.nodes.length; j++) {
      const a = doc.nodes[i]!.position;
      const b = doc.nodes[j]!.position;
      if (Math.abs(a.x - b.x) < SIZE.width && Math.abs(a.y - b.y) < SIZE.height)
        out.push(`${doc.nodes[i]!.name} / ${doc.nodes[j]!.name}`);
    }
  return out;
}

const positions = (doc: GraphDoc) => Object.fromEntries(doc.nodes.map((n) => [n.id, n.position]));
const blocks = (doc: GraphDoc) => doc.nodes.filter((n) => getLayer(n.kind)?.expand);

describe('expanding a block in place', () => {
  const cases: [string, LayoutMode][] = [
    ['resnet18', 'down'],
    ['resnet18', 'columns'],
    ['resnet18', 'right'],
    ['densenet', 'columns'],
    ['inception', 'down'],
    ['inception', 'columns'],
    ['inception', 'right'],
    ['densenet121', 'down'],
  ];
  it.each(cases)(
    '%s laid out %s: each block expands with no overlap and collapses back to the old positions',
    async (id, mode) => {
      const laid = await autoLayout(getTemplate(id)!.build(), undefined, {
        mode,
        canvas: { width: 1000, height: 600 },
      });
      expect(overlaps(laid)).toEqual([]);
      const direction = mode === 'right' ? 'right' : 'down';
      for (const b of blocks(laid)) {
        const { doc: expanded, ids } = expandBlock(laid, b.id, { direction });
        expect(overlaps(expanded), `expanding ${b.name}`).toEqual([]);
        // The first layer is where the block was (the view stays on it).
        const first = expanded.nodes.find((n) => n.id === ids[0])!;
        if (direction === 'down') expect(first.position.y).toBe(b.position.y);
        else expect(first.position.x).toBe(b.position.x);
        const { doc: back } = collapseBlock(expanded, b.id, { direction });
        expect(positions(back)).toEqual(positions(laid));
      }
      // Every block expanded, one after another, then collapsed in the opposite order.
      let all = laid;
      for (const b of blocks(laid)) all = expandBlock(all, b.id, { direction }).doc;
      expect(overlaps(all)).toEqual([]);
      for (const b of blocks(laid).reverse()) all = collapseBlock(all, b.id, { direction }).doc;
      expect(positions(all)).toEqual(positions(laid));
    },
  );

  it('lays a fragment out in layers: parallel branches side by side', () => {
    const inception = getLayer('inceptionModule')!;
    const doc = getTemplate('inception')!.build();
    const node = doc.nodes.find((n) => n.kind === 'inceptionModule')!;
    const f = inception.expand!(resolveParams(inception, node.params).values);
    const { at, size } = layoutFragment(f, SIZE);
    const rows = new Set([...at.values()].map((p) => p.y));
    // Four branches: the widest row holds four layers.
    expect(size.width).toBeGreaterThanOrEqual(4 * SIZE.width);
    expect(rows.size).toBeLessThan(f.nodes.length);
  });
});
