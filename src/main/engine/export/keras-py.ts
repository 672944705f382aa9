// Writes the Keras training script (codegen/keras.ts) for the source's graph and run settings.
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

import { kerasScript } from '../../../shared/codegen/keras.ts';
import { refuseUnsupported } from './keras-h5.ts';
import type { ExportWriter } from './writer.ts';

export const kerasPyWriter: ExportWriter = {
  format: 'keras-py',
  async write(_tf, source, staged, options, progress) {
    refuseUnsupported(source, 'keras-py');
    const script = kerasScript(source.graph, source.config, { distribute: options.distribute });
    await writeFile(staged, script, 'utf8');
    progress(1, 'Wrote the Keras script');
    return [basename(staged)];
  },
};
