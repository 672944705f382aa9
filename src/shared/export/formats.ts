// The export formats and what each can express. Pure, so the editor marks the layers a format
// cannot express before anything is written, and the CLI refuses with the same reasons. Each
// format's writer lives in src/main/engine/export/<format>.ts.
import { flattenNetwork, type FlatLayer } from '../graph/layers.ts';
import type { GraphDoc } from '../graph/types.ts';

export const EXPORT_FORMATS = ['tfjs', 'keras-h5', 'onnx', 'keras-py', 'pytorch'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface FormatInfo {
  id: ExportFormat;
  label: string;
  /** What the export is on disk: one file, or a folder of files. */
  output: 'file' | 'folder';
  /** The file name suggested for it (a folder's name for folder outputs). */
  suggestedName: (modelName: string) => string;
  /** Which tools open it, for the dialog and the README. */
  opensWith: string;
  /** Whether it carries the trained weights (keras-py rebuilds and trains from scratch). */
  weights: boolean;
  /**
   * Why this format cannot express `layer`, or null if it can. A format that can express
   * every layer kind and value returns null always.
   */
  unsupported: (layer: FlatLayer) => string | null;
}

const FORMATS = new Map<ExportFormat, FormatInfo>();

/** Adds a format's declaration (each format's file in this folder calls it once). */
export function declareFormat(info: FormatInfo): FormatInfo {
  FORMATS.set(info.id, info);
  return info;
}

export function formatInfo(id: ExportFormat): FormatInfo {
  const info = FORMATS.get(id);
  if (!info) throw new Error(`No export format "${id}" is declared.`);
  return info;
}

export interface Unsupported {
  /** The editor node to mark (a block's node for one of its parts). */
  nodeId: string;
  layer: string;
  reason: string;
}

/** The layers of `doc` that `format` cannot express, with the reason for each. */
export function checkExport(doc: GraphDoc, format: ExportFormat): Unsupported[] {
  const info = formatInfo(format);
  const out: Unsupported[] = [];
  for (const layer of flattenNetwork(doc).layers) {
    const reason = info.unsupported(layer);
    if (reason) out.push({ nodeId: layer.nodeId, layer: layer.name, reason });
  }
  return out;
}
