// The mounted canvas's React Flow instance, for code outside the canvas (palette,
// auto layout, toolbar) that needs the viewport. Set by <Canvas> on init, so the
// app does not have to wrap everything in a ReactFlowProvider.
import type { ReactFlowInstance } from '@xyflow/react';
import type { Position } from '../../shared/graph/types.ts';
import { useStore } from '../store/store.ts';
import { boundsOf, legibleViewport, MINIMAP_CORNER } from './fit.ts';
import {
  FIT_VIEW_OPTIONS,
  NODE_HEIGHT,
  NODE_WIDTH,
  type LayerFlowEdge,
  type LayerFlowNode,
} from './flow-types.ts';

type Instance = ReactFlowInstance<LayerFlowNode, LayerFlowEdge>;

let current: { instance: Instance; element: HTMLElement } | null = null;

export function registerFlow(instance: Instance | null, element: HTMLElement | null): void {
  current = instance && element ? { instance, element } : null;
}

/** The flow position at the centre of the visible canvas, or null when no canvas is mounted. */
export function viewCentre(): Position | null {
  if (!current) return null;
  const r = current.element.getBoundingClientRect();
  return current.instance.screenToFlowPosition({
    x: r.left + r.width / 2,
    y: r.top + r.height / 2,
  });
}

/** The visible canvas's size, or null when no canvas is mounted (or it has no size yet). */
export function canvasSize(): { width: number; height: number } | null {
  const r = current?.element.getBoundingClientRect();
  return r && r.width > 0 && r.height > 0 ? { width: r.width, height: r.height } : null;
}

/**
 * Fits every node into view (nodes outside the view included, though never rendered), never
 * zooming out past legibility (fit.ts): a graph too big for that shows its start.
 */
export function fitCanvas(duration = 0): void {
  if (!current) return;
  const canvas = canvasSize();
  const bounds = boundsOf(current.instance.getNodes(), nodeSize);
  if (!canvas || !bounds) {
    void current.instance.fitView({ ...FIT_VIEW_OPTIONS, duration });
    return;
  }
  const corner = useStore.getState().panels.minimap ? MINIMAP_CORNER : null;
  void current.instance.setViewport(legibleViewport(bounds, canvas, 24, corner), { duration });
}

/** A node's rendered size, or the default size when it has not been measured. */
export function nodeSize(id: string): { width: number; height: number } {
  const m = current?.instance.getInternalNode(id)?.measured;
  return { width: m?.width ?? NODE_WIDTH, height: m?.height ?? NODE_HEIGHT };
}
