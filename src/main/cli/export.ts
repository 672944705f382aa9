// `netforge export <run-dir | graph.json | template> --format FORMAT --out PATH`: writes the model
// as files other tools open. A run folder gives its trained weights; a graph or a template gives
// the weights a run would start from. Runs in this process (tfjs's cpu backend: an export reads
// and writes weights, it trains nothing).
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { CodedError } from '../../shared/errors.ts';
import { EXPORT_FORMATS, formatInfo } from '../../shared/export/index.ts';
import { DATASETS } from '../../shared/graph/types.ts';
import { RunFolder } from '../runs/run-folder.ts';
import { loadDesign } from './design.ts';
import { oneOf, OptionError, str, type Options } from './options.ts';

async function isRunFolder(ref: string): Promise<boolean> {
  const isDir = await stat(ref).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return isDir && (await new RunFolder(ref).readConfig()) !== null;
}

export async function exportCommand(ref: string | undefined, o: Options): Promise<number> {
  const json = o.json === true;
  const format = oneOf(o, 'format', EXPORT_FORMATS);
  if (!ref || !format)
    throw new OptionError(
      `export needs what to export and a format, e.g. \`netforge export runs/lenet-5-... --format onnx --out lenet5.onnx\` (formats: ${EXPORT_FORMATS.join(', ')}).`,
    );
  const info = formatInfo(format);
  const out =
    str(o, 'out') ??
    info.suggestedName(
      ref
        .replace(/[/\\]+$/, '')
        .split(/[/\\]/)
        .pop()!
        .replace(/(\.netforge)?\.json$/i, ''),
    );
  const dataset = oneOf(o, 'dataset', DATASETS);
  const from = (await isRunFolder(ref))
    ? ({ kind: 'run', runDir: resolve(ref) } as const)
    : ({
        kind: 'design',
        graph: (await loadDesign(ref)).graph,
        config: dataset ? { dataset } : {},
      } as const);
  const { tf } = await import('../engine/backend.ts');
  await tf.setBackend('cpu');
  const { exportModel } = await import('../engine/export/export-model.ts');
  const tty = !json && process.stderr.isTTY;
  try {
    const result = await exportModel(
      tf,
      from,
      format,
      out,
      { distribute: o.distribute === true },
      (fraction, what) => {
        if (tty) process.stderr.write(`\r${Math.round(fraction * 100)}% ${what}\u001b[K`);
      },
    );
    if (tty) process.stderr.write('\n');
    if (json) console.log(JSON.stringify(result));
    else {
      console.log(
        `Exported ${info.label} (${result.trained ? 'trained weights' : 'initial weights: an untrained design'}) to ${result.path}` +
          (info.output === 'folder' ? `: ${result.files.join(', ')}` : ''),
      );
      console.log(`Opens with: ${info.opensWith}`);
    }
    return 0;
  } catch (e) {
    if (tty) process.stderr.write('\n');
    if (e instanceof CodedError) {
      if (json) console.log(JSON.stringify({ error: { code: e.code, message: e.message } }));
      else console.error(`netforge: [${e.code}] ${e.message}`);
      return 1;
    }
    throw e;
  }
}
