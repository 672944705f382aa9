// The export writers, one line each (a format = its declaration in src/shared/export/ + its
// writer file here + this line).
import type { ExportFormat } from '../../../shared/export/index.ts';
import { kerasH5Writer } from './keras-h5.ts';
import { kerasPyWriter } from './keras-py.ts';
import { onnxWriter } from './onnx.ts';
import { tfjsWriter } from './tfjs.ts';
import type { ExportWriter } from './writer.ts';
import { pytorchWriter } from './pytorch.ts';

export const WRITERS: Partial<Record<ExportFormat, ExportWriter>> = {
  tfjs: tfjsWriter,
  onnx: onnxWriter,
  'keras-h5': kerasH5Writer,
  'keras-py': kerasPyWriter,
  pytorch: pytorchWriter,
};
