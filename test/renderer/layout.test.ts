// Auto layout: the chapter's networks come out top to bottom with no node on another.
import { describe, expect, it } from 'vitest';
import { expandBlock } from '../../src/shared/graph/block-ops.ts';
import type { GraphDoc } from '../../src/shared/graph/types.ts';
import { getTemplate } from '../../src/shared/templates/index.ts';
import { autoLayout, DEFAULT_NODE_SIZE } from '../../src/renderer/layout/auto-layout.ts';

const { width: W, height: H } = DEFAULT_NODE_SIZE;

function expectLaidOut(before: GraphDoc, after: GraphDoc): void {
  const at = new Map(after.nodes.map((n) => [n.id, n.position]));
  // Same nodes and edges, only positions changed.
  expect(after.nodes.map(({ position: _p, ...n }) => n)).toEqual(
    before.nodes.map(({ position: _p, ...n }) => n),
  );
  expect(after.edges).toEqual(before.edges);

  for (const e of after.edges) expect(at.get(e.target)!.y).toBeGreaterThan(at.get(e.source)!.y);

  const ps = after.nodes.map((n) => n.position);
  for (let i = 0; i < ps.length; i++)
    for (let j = i + 1; j < ps.length; j++) {
      const a = ps[i]!;
      const b = ps[j]!;
      const apart = Math.abs(a.x - b.x) >= W || Math.abs(a.y - b.y) >= H;
      expect(apart, `nodes ${i} and ${j} overlap at ${JSON.stringify([a, b])}`).toBe(true);
    }

  const moved = after.nodes.filter((n, i) => {
    const p = before.nodes[i]!.position;
    return n.position.x !== p.x || n.position.y !== p.y;
  });
  expect(moved.length).toBeGreaterThan(0);
}

describe('autoLayout', () => {
  it.each(['lenet5', 'resnet18'])('lays %s out top to bottom without overlaps', async (id) => {
    const doc = getTemplate(id)!.build();
    const after = await autoLayout(doc);
    expectLaidOut(doc, after);
    expect(after).not.toBe(doc);
  });

  it('lays out branches (an expanded ResNet block: the shortcut beside the main path)', async () => {
    const resnet = getTemplate('resnet18')!.build();
    const block = resnet.nodes.find((n) => n.name === 'stage2_block1')!;
    const doc = expandBlock(resnet, block.id).doc;
    const after = await autoLayout(doc);
    expectLaidOut(doc, after);
    // The 1x1 shortcut runs beside the main path, in a column of its own.
    const x = (name: string) => after.nodes.find((n) => n.name === name)!.position.x;
    const main = ['conv1', 'bn1', 'relu1', 'conv2', 'bn2'].map((p) => x(`stage2_block1_${p}`));
    for (const m of main)
      expect(Math.abs(x('stage2_block1_shortcut') - m)).toBeGreaterThanOrEqual(W);
  });

  it('ignores edges to nodes that do not exist instead of failing', async () => {
    const doc = getTemplate('lenet5')!.build();
    const broken: GraphDoc = {
      ...doc,
      edges: [...doc.edges, { id: 'dangling', source: doc.nodes[0]!.id, target: 'nowhere' }],
    };
    const after = await autoLayout(broken);
    expect(after.nodes).toHaveLength(doc.nodes.length);
    expect(after.edges).toEqual(broken.edges);
  });

  it('leaves an empty document alone', async () => {
    const doc = getTemplate('lenet5')!.build();
    const empty = { ...doc, nodes: [], edges: [] };
    expect((await autoLayout(empty)).nodes).toEqual([]);
  });
});
