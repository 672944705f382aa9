// The graph editor: React Flow, controlled by the store. Every edit goes through
// store actions; React Flow only reports what the user did.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  useUpdateNodeInternals,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type ReactFlowInstance,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './canvas.css';
import { freeSpot } from '../../shared/graph/placement.ts';
import type { Position } from '../../shared/graph/types.ts';
import { useAnalysis } from '../store/analysis.ts';
import { useStore } from '../store/store.ts';
import { PALETTE_MIME } from '../palette/palette-drag.ts';
import { MINIMAP_SIZE } from './fit.ts';
import { fitCanvas, nodeSize, registerFlow } from './flow-instance.ts';
import { NODE_HEIGHT, NODE_WIDTH, type LayerFlowEdge, type LayerFlowNode } from './flow-types.ts';
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

/** React Flow's own fit icon (four corners), for the fit button that keeps text legible. */
const FitIcon = () => (
  <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 30" aria-hidden="true">
    <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
  </svg>
);

/** The canvas. Fills its parent, which must have a height. */
export function Canvas() {
  const docNodes = useStore((s) => s.doc.nodes);
  const docEdges = useStore((s) => s.doc.edges);
  const selectedNodes = useStore((s) => s.selectedNodes);
  const selectedEdges = useStore((s) => s.selectedEdges);
  const theme = useStore((s) => s.theme);
  const minimap = useStore((s) => s.panels.minimap);
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

  // Handles move to the sides for left-to-right layouts: React Flow measures them again.
  const sideways = useStore((s) => s.panels.layoutMode === 'right');
  const updateNodeInternals = useUpdateNodeInternals();
  useEffect(() => {
    updateNodeInternals(useStore.getState().doc.nodes.map((n) => n.id));
  }, [sideways, updateNodeInternals]);

  useEffect(() => {
    registerFlow(flow, wrapper.current);
    // The project opened before the canvas was there: fit it now.
    if (flow) requestAnimationFrame(() => fitCanvas());
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
      // Centred under the pointer, or at the nearest spot that covers no node.
      const size = { width: NODE_WIDTH, height: NODE_HEIGHT };
      const centred = { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - NODE_HEIGHT / 2) };
      const s = useStore.getState();
      s.addLayer(kind, freeSpot(s.doc.nodes, centred, size, nodeSize));
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
        minZoom={0.05}
        maxZoom={2}
        colorMode={theme}
      >
        <Background gap={20} />
        {minimap && (
          <MiniMap
            pannable
            zoomable
            nodeClassName={miniMapClass}
            style={MINIMAP_SIZE}
            ariaLabel="Overview of the graph: drag to move the view"
          />
        )}
        <Controls showFitView={false}>
          <ControlButton
            className="react-flow__controls-fitview"
            data-testid="canvas-fit"
            title="Fit the graph in view, as far as its text stays readable"
            aria-label="Fit the graph in view"
            onClick={() => fitCanvas(200)}
          >
            <FitIcon />
          </ControlButton>
        </Controls>
      </ReactFlow>
    </div>
  );
}
