// flattenNetwork: the primitive layers of a graph, as the tfjs compiler builds them, for every
// template (blocks included): the same names, kinds' shapes and wiring as the compiled model.
import { describe, expect, it } from 'vitest';

import { tf } from '../../src/main/engine/backend.ts';
import { compileGraph } from '../../src/main/engine/compile.ts';
import { flattenNetwork } from '../../src/shared/graph/layers.ts';
import { TEMPLATES } from '../../src/shared/templates/index.ts';

describe('flattenNetwork', () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    '%s: the layers, shapes and inputs of the compiled tfjs model',
    async (_id, template) => {
      await tf.setBackend('cpu');
      const doc = template.build();
      const flat = flattenNetwork(doc);
      const model = compileGraph(tf, doc);
      try {
        const tfLayers = new Map(model.layers.map((l) => [l.name, l]));
        expect(flat.layers.map((l) => l.name).sort()).toEqual([...tfLayers.keys()].sort());
        for (const l of flat.layers) {
          const t = tfLayers.get(l.name)!;
          expect([null, ...l.outputShape], l.name).toEqual(t.outputShape);
          const inbound = t.inboundNodes[0]!.inboundLayers.map((x) => x.name);
          expect(l.inputs, l.name).toEqual(l.kind === 'input' ? [] : inbound);
        }
        expect(flat.input.kind).toBe('input');
        expect(model.outputs[0]!.sourceLayer.name).toBe(flat.output.name);
      } finally {
        model.dispose();
      }
    },
  );
});
