// A small helper for writing graphs in code (templates, tests): chains layers
// and lays them out top to bottom, branches side by side.
import type { ParamValue } from '../layers/params.ts';
import { addNode, connect } from './ops.ts';
import { emptyGraph, type DatasetName, type GraphDoc } from './types.ts';

export type Ref = string;

export class GraphBuilder {
  private doc: GraphDoc;
  private row = new Map<Ref, number>();
  private column = new Map<Ref, number>();
  private static readonly DX = 260;
  private static readonly DY = 110;

  constructor(name: string, dataset?: DatasetName, description?: string) {
    this.doc = emptyGraph(name, dataset);
    if (description) this.doc = { ...this.doc, description };
  }

  input(shape: number[], name = 'input'): Ref {
    return this.place('input', { shape }, [], name, 0);
  }

  /** Adds a layer fed by `inputs` (in order); `column` shifts a branch sideways. */
  layer(
    kind: string,
    params: Record<string, ParamValue>,
    inputs: Ref | Ref[],
    name?: string,
    column?: number,
  ): Ref {
    const ins = Array.isArray(inputs) ? inputs : [inputs];
    return this.place(kind, params, ins, name, column);
  }

  /** Chains layers one after another from `from`; returns the last. */
  chain(
    from: Ref,
    layers: [kind: string, params?: Record<string, ParamValue>, name?: string][],
  ): Ref {
    return layers.reduce<Ref>(
      (x, [kind, params, name]) => this.layer(kind, params ?? {}, x, name),
      from,
    );
  }

  build(): GraphDoc {
    return this.doc;
  }

  private place(
    kind: string,
    params: Record<string, ParamValue>,
    ins: Ref[],
    name?: string,
    column?: number,
  ): Ref {
    const row = Math.max(-1, ...ins.map((r) => this.row.get(r)!)) + 1;
    const col = column ?? (ins.length === 1 ? this.column.get(ins[0]!)! : 0);
    const added = addNode(this.doc, kind, {
      params,
      position: { x: col * GraphBuilder.DX, y: row * GraphBuilder.DY },
      ...(name ? { name } : {}),
    });
    this.doc = added.doc;
    for (const r of ins) this.doc = connect(this.doc, r, added.id).doc;
    this.row.set(added.id, row);
    this.column.set(added.id, col);
    return added.id;
  }
}
