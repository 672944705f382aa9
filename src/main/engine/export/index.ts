// The export writers, one line each (a format = its declaration in src/shared/export/ + its
// writer file here + this line).
import type { ExportFormat } from '../../../shared/export/formats.ts';
import { kerasH5Writer } from './keras-h5.ts';
import { kerasPyWriter } from './keras-py.ts';
import type { ExportWriter } from './writer.ts';

export const WRITERS: Partial<Record<ExportFormat, ExportWriter>> = {
  'keras-h5': kerasH5Writer,
  'keras-py': kerasPyWriter,
};
