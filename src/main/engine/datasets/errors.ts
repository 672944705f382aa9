import { CodedError } from '../../../shared/errors.ts';

/** A dataset problem the user can fix: the message names the file and what to do. */
export class DatasetError extends CodedError {
  constructor(
    override readonly code:
      'E_DATA_MISSING' | 'E_DATA_CORRUPT' | 'E_DATA_DOWNLOAD' | 'E_DATA_CHECKSUM',
    message: string,
  ) {
    super(code, message);
    this.name = 'DatasetError';
  }
}
