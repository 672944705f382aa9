// One export from start to end: load what is exported (a run's trained model or a design's
// initial weights), check that the format can express every layer (refusing with the layers
// named), write it under a temporary name and rename it into place, and record it in the run.
import { basename, resolve } from 'node:path';

import { CodedError } from '../../../shared/errors.ts';
import { checkExport, formatInfo, type ExportFormat } from '../../../shared/export/index.ts';
import type { GraphDoc } from '../../../shared/graph/types.ts';
import type { TrainConfig } from '../../../shared/train-config.ts';
import { RunFolder } from '../../runs/run-folder.ts';
import type { Tf } from '../backend.ts';
import { WRITERS } from './index.ts';
import { designSource, runSource, type ExportSource } from './source.ts';
import { staged, type ExportOptions, type ExportProgress } from './writer.ts';

export type ExportFrom =
  | { kind: 'run'; runDir: string }
  | { kind: 'design'; graph: GraphDoc; config?: Partial<TrainConfig> };

export interface ExportResult {
  format: ExportFormat;
  /** Where it was written (absolute): the file, or the folder of files. */
  path: string;
  files: string[];
  /** Whether the weights are a trained run's (false: a design's initial weights). */
  trained: boolean;
}

/** The reason every layer `format` cannot express, as one message; null if it can do all. */
export function unsupportedMessage(graph: GraphDoc, format: ExportFormat): string | null {
  const missing = checkExport(graph, format);
  if (missing.length === 0) return null;
  const label = formatInfo(format).label;
  const listed = missing.slice(0, 8).map((m) => `${m.layer} (${m.reason})`);
  const more = missing.length > 8 ? ` and ${missing.length - 8} more` : '';
  return `${label} cannot express ${missing.length === 1 ? 'the layer' : 'these layers'} ${listed.join('; ')}${more}.`;
}

export async function exportModel(
  tf: Tf,
  from: ExportFrom,
  format: ExportFormat,
  out: string,
  options: ExportOptions = {},
  progress: ExportProgress = () => {},
): Promise<ExportResult> {
  const writer = WRITERS[format];
  if (!writer) throw new CodedError('E_EXPORT', `This Netforge cannot write ${format} files yet.`);
  const info = formatInfo(format);
  const path = resolve(out);
  progress(0, from.kind === 'run' ? 'Loading the trained model' : 'Building the network');
  const source: ExportSource =
    from.kind === 'run'
      ? await runSource(tf, from.runDir)
      : designSource(tf, from.graph, from.config);
  try {
    const refused = unsupportedMessage(source.graph, format);
    if (refused) throw new CodedError('E_EXPORT_UNSUPPORTED', `${refused} Nothing was written.`);
    let files: string[];
    try {
      const written = await staged(path, info.output, (p) =>
        writer.write(tf, source, p, options, progress),
      );
      // A one-file export was written under its staging name and renamed: report its own.
      files = info.output === 'file' ? [basename(path)] : written;
    } catch (e) {
      if (e instanceof CodedError) throw e;
      throw new CodedError(
        'E_EXPORT',
        `Could not write the ${info.label} export to ${path} (${(e as Error).message}). Nothing partial was left there.`,
      );
    }
    if (source.runDir)
      await new RunFolder(source.runDir).recordExport({
        format,
        path,
        files,
        at: new Date().toISOString(),
      });
    progress(1, 'Done');
    return { format, path, files, trained: source.trained };
  } finally {
    source.model.dispose();
  }
}
