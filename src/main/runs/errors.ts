// Failures of the run requests (runs.get, runs.images, runs.featureMaps) that the user can act
// on; api/handlers.ts turns them into replies with these codes (documented in REQUEST_ERROR_CODES).
import { CodedError } from '../../shared/errors.ts';

export type RunsErrorCode =
  | 'E_NOT_FOUND'
  | 'E_BAD_REQUEST'
  | 'E_NO_MODEL'
  | 'E_NO_FEATURE_MAPS'
  | 'E_DATA_MISSING'
  | 'E_FEATURE_MAPS'
  | 'E_IO';

export class RunsError extends CodedError {
  constructor(
    override readonly code: RunsErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'RunsError';
  }
}

/**
 * What a continue or resume refused for its checkpoint says to do, after the message naming the
 * file (main's runs.continue and the engine's resume say the same).
 */
export const CHECKPOINT_UNUSABLE =
  'The run cannot continue from this checkpoint and is kept as it was (its results and model ' +
  'are untouched): train it again from the start, or put back a good copy of the file.';

/**
 * A write that failed because the disk is full (ENOSPC) or the quota used up (EDQUOT), as
 * E_DISK_FULL naming where ("The disk is full at PATH; free space and <then>."); null for any
 * other failure. `where`: the path to name when the error does not carry one.
 */
export function diskFullError(e: unknown, where: string, then: string): CodedError | null {
  const err = e as NodeJS.ErrnoException | null;
  if (err?.code !== 'ENOSPC' && err?.code !== 'EDQUOT') return null;
  const what = err.code === 'EDQUOT' ? 'Your disk quota is used up' : 'The disk is full';
  return new CodedError('E_DISK_FULL', `${what} at ${err.path ?? where}; free space and ${then}.`);
}
