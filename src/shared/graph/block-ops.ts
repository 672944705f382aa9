// Expanding a block node into its primitive layers, and collapsing them back.
import type { ParamValue } from '../layers/params.ts';
import { getLayer } from '../layers/registry.ts';
import { resolveParams } from '../layers/resolve.ts';
import { BLOCK_INPUT } from '../blocks/fragment.ts';
import { placeFragment, shiftAround, type Direction } from './block-placement.ts';
import { addNode, connect, removeNodes, uniqueId } from './ops.ts';
import type { Size } from './placement.ts';
import type { GraphDoc } from './types.ts';

export class BlockOpError extends Error {}

export interface PlacementOptions {
  /** The size of each node now on the canvas (measured); the default size when not given. */
  sizeOf?: (id: string) => Size;
  /** The size a new layer takes. */
  partSize?: Size;
  /** The layout's direction: what follows the block is below it, or to its right. */
  direction?: Direction;
}

const DEFAULT_SIZE: Size = { width: 220, height: 90 };

/**
 * Replaces block node `id` by its layers (named <block>_<part>), wired to the same neighbours,
 * laid out where the block was; what follows moves on to make room (block-placement.ts).
 */
export function expandBlock(
  doc: GraphDoc,
  id: string,
  opts: PlacementOptions = {},
): { doc: GraphDoc; ids: string[] } {
  const node = doc.nodes.find((n) => n.id === id);
  const spec = node && getLayer(node.kind);
  if (!node || !spec?.expand)
    throw new BlockOpError(
      'Only a block node (ResNet BasicBlock, Dense Block, Inception) can be expanded.',
    );
  const { values, errors } = resolveParams(spec, node.params);
  if (errors.length)
    throw new BlockOpError(`Fix the block's parameters first: ${errors.join('; ')}.`);
  const fragment = spec.expand(values);
  const incoming = doc.edges.filter((e) => e.target === id);
  const outgoing = doc.edges.filter((e) => e.source === id);
  const sizeOf = opts.sizeOf ?? (() => DEFAULT_SIZE);
  const blockSize = sizeOf(id);
  const { at, room } = placeFragment(
    fragment,
    node.position,
    blockSize,
    opts.partSize ?? DEFAULT_SIZE,
    opts.direction ?? 'down',
  );
  const info = {
    id: node.id,
    name: node.name,
    kind: node.kind,
    params: node.params,
    origin: node.position,
    room,
  };
  const made = shiftAround(doc, id, new Set([id]), node.position, blockSize, room, sizeOf, 1);
  let next = removeNodes(made, [id]);
  const idOf = new Map<string, string>();
  fragment.nodes.forEach((f) => {
    const added = addNode(next, f.layer.kind, {
      id: uniqueId(
        next.nodes.map((n) => n.id),
        'n',
      ),
      name: `${node.name}_${f.id}`,
      params: f.params,
      position: at.get(f.id)!,
    });
    next = {
      ...added.doc,
      nodes: added.doc.nodes.map((n) => (n.id === added.id ? { ...n, block: info } : n)),
    };
    idOf.set(f.id, added.id);
  });
  for (const f of fragment.nodes) {
    for (const src of f.inputs) {
      if (src === BLOCK_INPUT)
        for (const e of incoming) next = connect(next, e.source, idOf.get(f.id)!).doc;
      else next = connect(next, idOf.get(src)!, idOf.get(f.id)!).doc;
    }
  }
  for (const e of outgoing) next = connect(next, idOf.get(fragment.output)!, e.target).doc;
  return { doc: next, ids: [...idOf.values()] };
}

/**
 * Puts the layers that expanding block `blockId` made back into one block node, where the block
 * was; what made room for them moves back.
 */
export function collapseBlock(
  doc: GraphDoc,
  blockId: string,
  opts: PlacementOptions = {},
): { doc: GraphDoc; id: string } {
  const members = doc.nodes.filter((n) => n.block?.id === blockId);
  const info = members[0]?.block;
  if (!info)
    throw new BlockOpError(
      'These layers did not come from expanding a block, so they cannot be collapsed.',
    );
  const inside = new Set(members.map((n) => n.id));
  const incoming = doc.edges.filter((e) => !inside.has(e.source) && inside.has(e.target));
  const outgoing = doc.edges.filter((e) => inside.has(e.source) && !inside.has(e.target));
  const sources = [...new Set(incoming.map((e) => e.source))];
  if (sources.length !== 1)
    throw new BlockOpError(
      `The block's layers now take input from ${sources.length} places; a block has exactly one input.`,
    );
  const first = members[0]!;
  let next = removeNodes(doc, inside);
  const origin = info.origin ?? first.position;
  const added = addNode(next, info.kind, {
    id: info.id,
    name: info.name,
    params: info.params as Record<string, ParamValue>,
    position: origin,
  });
  next = connect(added.doc, sources[0]!, added.id).doc;
  for (const t of [...new Set(outgoing.map((e) => e.target))])
    next = connect(next, added.id, t).doc;
  if (info.room) {
    const sizeOf = opts.sizeOf ?? (() => DEFAULT_SIZE);
    const skip = new Set([added.id]);
    next = shiftAround(next, added.id, skip, origin, sizeOf(added.id), info.room, sizeOf, -1);
  }
  return { doc: next, id: added.id };
}
