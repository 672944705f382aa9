// The errors the training service and the run library give the API: a code of the registry
// (src/shared/errors.ts) and a message that says what to do.
import { CodedError } from '../../shared/errors.ts';
import { diskFullError } from '../runs/errors.ts';

export type TrainingErrorCode =
  | 'E_BUSY'
  | 'E_NO_RUN'
  | 'E_ENGINE'
  | 'E_IO'
  | 'E_DISK_FULL'
  | 'E_BAD_REQUEST'
  | 'E_FINISHED'
  | 'E_NO_CHECKPOINT';

export class TrainingError extends CodedError {
  constructor(
    override readonly code: TrainingErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'TrainingError';
  }
}

/** A failed write in the runs folder as E_DISK_FULL naming where, or E_IO. */
export function writeError(e: unknown, where: string, then: string): TrainingError {
  const full = diskFullError(e, where, then);
  if (full) return new TrainingError('E_DISK_FULL', full.message);
  return new TrainingError('E_IO', `Could not write in ${where} (${(e as Error).message}).`);
}
