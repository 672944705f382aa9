// The export writers, one line each (a format = its declaration in src/shared/export/ + its
// writer file here + this line).
import type { ExportFormat } from '../../../shared/export/index.ts';
import { onnxWriter } from './onnx.ts';
import { tfjsWriter } from './tfjs.ts';
import type { ExportWriter } from './writer.ts';

export const WRITERS: Partial<Record<ExportFormat, ExportWriter>> = {
  tfjs: tfjsWriter,
  onnx: onnxWriter,
};
