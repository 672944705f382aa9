// What a format cannot express in a graph, for the Export dialog and the canvas's marks: the
// shared checkExport (the same check the CLI refuses with), over a graph that must be valid first.
// The canvas's marks are computed once per structure version and format, like the analysis.
import { exportNameSchema } from '../../shared/api.ts';
import {
  checkExport,
  formatInfo,
  type ExportFormat,
  type Unsupported,
} from '../../shared/export/index.ts';
import { FlatGraphError } from '../../shared/graph/layers.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import { useStore, type Store } from '../store/store.ts';

export type ExportCheck =
  /** The graph has problems: nothing can be exported until they are fixed. */
  | { kind: 'problems'; message: string }
  /** The layers `format` cannot express (empty: it can express them all). */
  | { kind: 'checked'; refused: Unsupported[] };

/**
 * The layers `format` cannot express in `doc`; `valid` is the graph's analysis when the caller
 * has it (else flattenNetwork's own check says whether the graph has problems).
 */
export function checkGraph(doc: GraphDoc, format: ExportFormat, valid?: boolean): ExportCheck {
  const problems: ExportCheck = {
    kind: 'problems',
    message: `The network "${doc.name}" has problems: fix the ones the Problems list names first.`,
  };
  if (valid === false) return problems;
  try {
    return { kind: 'checked', refused: checkExport(doc, format) };
  } catch (e) {
    if (e instanceof FlatGraphError) return problems;
    throw e;
  }
}

/**
 * The last marks computed. Moving nodes changes neither the structure version nor the edges
 * array; the edges also tell two stores (tests) apart.
 */
let cache: {
  version: number;
  edges: GraphDoc['edges'];
  format: ExportFormat;
  marks: ReadonlyMap<string, string>;
} | null = null;

/**
 * The canvas's marks: for each node `exportMarks`'s format cannot express, why (a block's node
 * gathers its parts' reasons, each named). Empty without a format, or while the graph has problems.
 */
export function exportMarksOf(s: Store): ReadonlyMap<string, string> {
  const format = s.exportMarks;
  if (!format) return EMPTY;
  if (
    cache?.version === s.structureVersion &&
    cache.edges === s.doc.edges &&
    cache.format === format
  )
    return cache.marks;
  const check = checkGraph(s.doc, format);
  const reasons = new Map<string, string[]>();
  if (check.kind === 'checked')
    for (const r of check.refused) {
      const list = reasons.get(r.nodeId) ?? [];
      // A block's part is named; a layer of its own is the node itself.
      list.push(r.layer === nodeName(s.doc, r.nodeId) ? r.reason : `${r.layer}: ${r.reason}`);
      reasons.set(r.nodeId, list);
    }
  const marks = new Map([...reasons].map(([id, list]) => [id, list.join('; ')]));
  cache = { version: s.structureVersion, edges: s.doc.edges, format, marks };
  return marks;
}

const EMPTY: ReadonlyMap<string, string> = new Map();

const nodeName = (doc: GraphDoc, id: string): string | undefined =>
  doc.nodes.find((n) => n.id === id)?.name;

/** Why a node is marked, or null; a string, so the node's selector stays cheap. */
export const useExportMark = (nodeId: string): string | null =>
  useStore((s) => exportMarksOf(s).get(nodeId) ?? null);

/** Why `name` cannot be an export's name, or null. */
export function checkExportName(name: string): string | null {
  const r = exportNameSchema.safeParse(name);
  return r.success ? null : (r.error.issues[0]?.message ?? 'not a valid export name');
}

/** A model's name as an export name: "LeNet-5 (MNIST)" becomes "lenet-5-mnist". */
export function exportStem(modelName: string): string {
  const stem = modelName
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return stem.slice(0, 100) || 'model';
}

/** The name the dialog suggests for `format`: the format's own suggestion for the model. */
export const suggestedName = (modelName: string, format: ExportFormat): string =>
  formatInfo(format).suggestedName(exportStem(modelName));

/**
 * The name of `path` in `folder` when it lies directly in it (the desktop app shows exports in
 * the file manager by their name there), else null.
 */
export function nameInFolder(path: string, folder: string | null): string | null {
  if (!folder) return null;
  const base = folder.replace(/[/\\]+$/, '');
  if (!path.startsWith(base) || !/^[/\\]/.test(path.slice(base.length))) return null;
  const rest = path.slice(base.length + 1);
  return rest && !/[/\\]/.test(rest) ? rest : null;
}
