// The error-code registry: every code a user can meet is in it, and each says what to do.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

import { API, METHODS } from '../src/shared/api.ts';
import {
  CodedError,
  ERRORS,
  isErrorCode,
  toCodedError,
  withFix,
  type ErrorCode,
} from '../src/shared/errors.ts';

const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('the error-code registry', () => {
  const codes = Object.keys(ERRORS) as ErrorCode[];

  it.each(codes)('%s says what happened and what to do', (code) => {
    const { what, fix } = ERRORS[code];
    expect(what.length).toBeGreaterThan(10);
    // Advice is a sentence that tells the user to do something.
    expect(fix).toMatch(/^[A-Z`"]/);
    expect(fix).toMatch(/[.)]$/);
    expect(fix.length).toBeGreaterThan(10);
    expect(fix).not.toBe(what);
  });

  it('holds every code the source uses', () => {
    const unknown: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/['"`](E_[A-Z0-9_]+)['"`]/g))
        if (!isErrorCode(m[1])) unknown.push(`${relative(SRC, file)}: ${m[1]}`);
    }
    expect(unknown).toEqual([]);
  });

  it('holds every code an API method declares, and every method declares its codes', () => {
    for (const method of METHODS) {
      for (const code of API[method].errors)
        expect(isErrorCode(code), `${method}: ${code}`).toBe(true);
      expect(API[method].doc.length, method).toBeGreaterThan(10);
    }
  });

  it('keeps a coded error’s code across a process boundary and marks anything else', () => {
    const coded = new CodedError('E_NAN_LOSS', 'The loss became NaN at step 3.');
    expect(toCodedError(coded)).toBe(coded);
    expect(coded.fix).toBe(ERRORS.E_NAN_LOSS.fix);
    // What arrives over IPC or JSON is a plain object with the code.
    expect(toCodedError({ code: 'E_DATA_CORRUPT', message: 'x' })).toMatchObject({
      code: 'E_DATA_CORRUPT',
    });
    expect(toCodedError(new Error('boom'))).toMatchObject({ code: 'E_INTERNAL', message: 'boom' });
    expect(toCodedError(Object.assign(new Error('eacces'), { code: 'EACCES' }), 'E_IO').code).toBe(
      'E_IO',
    );
    expect(withFix('E_BUSY', 'A run is in progress.')).toBe(
      `A run is in progress. ${ERRORS.E_BUSY.fix}`,
    );
  });
});
