// Failures of the run requests (runs.get, runs.images, runs.featureMaps) that the user can act
import { CodedError } from '../../shared/errors.ts';
// on; api/handlers.ts turns them into replies with these codes (documented in REQUEST_ERROR_CODES).

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
