// The export writers, one line each (a format = its declaration in src/shared/export/ + its
// writer file here + this line).
import type { ExportFormat } from '../../../shared/export/formats.ts';
import type { ExportWriter } from './writer.ts';
import { pytorchWriter } from './pytorch.ts';

export const WRITERS: Partial<Record<ExportFormat, ExportWriter>> = {
  pytorch: pytorchWriter,
};
