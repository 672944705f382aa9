// The graph editor: React Flow, controlled by the store. Every edit goes through
// store actions; React Flow only reports what the user did.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type ReactFlowInstance,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './canvas.css';
import type { Position } from '../../shared/graph/types.ts';
import { useAnalysis } from '../store/analysis.ts';
import { useStore } from '../store/store.ts';
import { PALETTE_MIME } from '../palette/palette-drag.ts';
import { fitCanvas, registerFlow } from './flow-instance.ts';
import {
  FIT_VIEW_OPTIONS,
  NODE_HEIGHT,
  NODE_WIDTH,
  type LayerFlowEdge,
  type LayerFlowNode,
} from './flow-types.ts';
import { LayerEdge } from './LayerEdge.tsx';
import { LayerNode } from './LayerNode.tsx';
import { toFlowEdges, toFlowNodes, withPositions, type Size } from './to-flow.ts';

// Module level, as React Flow asks: new objects on each render would remount every node.
const nodeTypes = { layer: LayerNode };
const edgeTypes = { layer: LayerEdge };

type Measured = Size & { id: string };

/** Live positions of the nodes being dragged, by id. */
type DragPositions = ReadonlyMap<string, Position>;

interface NodesChangeSinks {
  /** The live positions of a drag in progress; the store sees only the final one. */
  onDrag: (positions: DragPositions | null) => void;
  onMeasured: (m: Measured[]) => void;
}

// A drag in progress: the latest position of every node it moved. Kept out of the
// store so a pointer move re-renders only the canvas, not every store subscriber
// (and is committed as one undo step when the drag ends).
let dragging: Map<string, Position> | null = null;

function onNodesChange(changes: NodeChange<LayerFlowNode>[], sinks: NodesChangeSinks): void {
  const s = useStore.getState();
  let moved = false;
  let done = false;
  let selection: Set<string> | null = null;
  const measured: Measured[] = [];
  for (const c of changes) {
    if (c.type === 'position' && c.position) {
      dragging ??= new Map();
      dragging.set(c.id, { x: Math.round(c.position.x), y: Math.round(c.position.y) });
      moved = true;
      // The last change of a drag (or a keyboard move) has dragging false.
      if (!c.dragging) done = true;
    } else if (c.type === 'select') {
      selection ??= new Set(s.selectedNodes);
      if (c.selected) selection.add(c.id);
      else selection.delete(c.id);
    } else if (c.type === 'dimensions' && c.dimensions) {
      measured.push({ id: c.id, ...c.dimensions });
    }
    // 'remove' never comes: deleteKeyCode is off and deletion goes through the store.
  }
  if (moved && dragging) {
    if (done) {
      const positions = Object.fromEntries(dragging);
      dragging = null;
      // Commit first: the canvas then never shows the pre-drag position in between.
      s.moveNodes(positions, true);
      sinks.onDrag(null);
    } else {
      sinks.onDrag(new Map(dragging));
    }
  }
  if (selection) s.select([...selection], useStore.getState().selectedEdges);
  if (measured.length) sinks.onMeasured(measured);
}

function onEdgesChange(changes: EdgeChange<LayerFlowEdge>[]): void {
  let selection: Set<string> | null = null;
  for (const c of changes) {
    if (c.type !== 'select') continue;
    selection ??= new Set(useStore.getState().selectedEdges);
    if (c.selected) selection.add(c.id);
    else selection.delete(c.id);
  }
  if (selection) {
    const s = useStore.getState();
    s.select(s.selectedNodes, [...selection]);
  }
}

const onConnect = (c: Connection): void => useStore.getState().connectNodes(c.source, c.target);
const isValidConnection = (c: { source: string; target: string }): boolean => c.source !== c.target;

function onDragOver(e: DragEvent): void {
  if (!e.dataTransfer.types.includes(PALETTE_MIME)) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'copy';
}

/** The canvas. Fills its parent, which must have a height. */
export function Canvas() {
  const docNodes = useStore((s) => s.doc.nodes);
  const docEdges = useStore((s) => s.doc.edges);
  const selectedNodes = useStore((s) => s.selectedNodes);
  const selectedEdges = useStore((s) => s.selectedEdges);
  const theme = useStore((s) => s.theme);
  const analysis = useAnalysis();
  const wrapper = useRef<HTMLDivElement>(null);
  const [flow, setFlow] = useState<ReactFlowInstance<LayerFlowNode, LayerFlowEdge> | null>(null);
  // Measured node sizes live here, not in the document: they are a view concern.
  const [sizes, setSizes] = useState<ReadonlyMap<string, Size>>(() => new Map());

  // Positions of a drag in progress, shown over the document's until the drag ends.
  const [drag, setDrag] = useState<DragPositions | null>(null);

  const docFlowNodes = useMemo(
    () => toFlowNodes(docNodes, selectedNodes, sizes),
    [docNodes, selectedNodes, sizes],
  );
  const nodes = useMemo(() => withPositions(docFlowNodes, drag), [docFlowNodes, drag]);
  const edges = useMemo(
    () => toFlowEdges(docEdges, selectedEdges, analysis),
    [docEdges, selectedEdges, analysis],
  );

  const handleNodesChange = useCallback(
    (changes: NodeChange<LayerFlowNode>[]) =>
      onNodesChange(changes, {
        onDrag: setDrag,
        onMeasured: (measured) =>
          setSizes((prev) => {
            const next = new Map(prev);
            for (const m of measured) next.set(m.id, { width: m.width, height: m.height });
            return next;
          }),
      }),
    [],
  );

  useEffect(() => {
    registerFlow(flow, wrapper.current);
    return () => registerFlow(null, null);
  }, [flow]);

  // Fit the view when a document is opened. loadDoc is the only change of structure
  // that leaves both undo and redo history empty (dragging a freshly opened
  // document's nodes changes no structure).
  useEffect(
    () =>
      useStore.subscribe((s, prev) => {
        if (
          s.structureVersion !== prev.structureVersion &&
          s.past.length === 0 &&
          s.future.length === 0
        )
          requestAnimationFrame(() => fitCanvas());
      }),
    [],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(PALETTE_MIME);
      if (!kind || !flow) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // Drop the node centred under the pointer.
      useStore.getState().addLayer(kind, {
        x: Math.round(p.x - NODE_WIDTH / 2),
        y: Math.round(p.y - NODE_HEIGHT / 2),
      });
    },
    [flow],
  );

  const miniMapClass = useCallback(
    (n: LayerFlowNode) =>
      analysis.nodes.get(n.id)?.issues.length
        ? 'nf-minimap-node nf-minimap-error'
        : 'nf-minimap-node',
    [analysis],
  );

  return (
    <div className="nf-canvas" data-testid="canvas" ref={wrapper}>
      <ReactFlow<LayerFlowNode, LayerFlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={handleNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onInit={setFlow}
        onDragOver={onDragOver}
        onDrop={onDrop}
        // Delete/Backspace go through useShortcuts -> deleteSelection (one undo entry).
        deleteKeyCode={null}
        onlyRenderVisibleElements
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.05}
        maxZoom={2}
        colorMode={theme}
      >
        <Background gap={20} />
        <MiniMap pannable zoomable nodeClassName={miniMapClass} />
        <Controls fitViewOptions={FIT_VIEW_OPTIONS} />
      </ReactFlow>
    </div>
  );
}
