// The command line's words (src/main/cli/options.ts, flags.ts, index.ts): negative numbers are
// values, a near-miss flag gets "did you mean", a flag another command takes is refused by
// name, range errors name the flag and its range, and a mistake prints one line and where the
// help is; the help itself only on --help; --version prints the version.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configFromFlags } from '../src/main/cli/flags.ts';
import { closestFlag, parseCommandLine } from '../src/main/cli/options.ts';
import { OptionError, UsageError } from '../src/main/cli/errors.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'netforge.js');
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function usageError(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

function optionError(o: Record<string, string>): string {
  try {
    configFromFlags(o);
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(o)}`);
}

describe('parsing', () => {
  it('takes a negative number as a value, separate or joined', () => {
    expect(parseCommandLine(['train', 'lenet5', '--lr', '-0.1']).options.lr).toBe('-0.1');
    expect(parseCommandLine(['train', 'lenet5', '--seed=-3']).options.seed).toBe('-3');
    expect(parseCommandLine(['train', 'x', '--lr', '-.5', '--json']).options).toEqual({
      lr: '-.5',
      json: true,
    });
  });

  it.each([
    [['train', 'x', '--epoch', '3'], 'Unknown option --epoch. Did you mean --epochs?'],
    [
      ['train', 'x', '--learning-rate', '0.1'],
      'Unknown option --learning-rate. Did you mean --lr?',
    ],
    [['train', 'x', '--batchsize', '8'], 'Unknown option --batchsize. Did you mean --batch-size?'],
    [['serve', '--prot', '80'], 'Unknown option --prot. Did you mean --port?'],
    [['train', 'x', '--frobnicate'], 'Unknown option --frobnicate.'],
    [['summary', 'lenet5', '--epochs', '3'], 'summary does not take --epochs.'],
    [['train', 'x', '--lr'], '--lr needs a value, e.g. --lr VALUE.'],
    [['train', 'x', '--lr', '--epochs', '2'], '--lr needs a value, e.g. --lr VALUE.'],
    [['templates', '--json=yes'], '--json takes no value (got "--json=yes").'],
  ])('%j: %s', (argv, message) => {
    const m = usageError(argv);
    expect(m).toBe(message);
    expect(m).not.toMatch(/parseArgs|ambiguous|ERR_/);
  });

  it('suggests only what is close', () => {
    expect(closestFlag('epoch', ['epochs', 'lr'])).toBe('epochs');
    expect(closestFlag('xyzzy', ['epochs', 'lr'])).toBeNull();
  });
});

describe("train's settings", () => {
  it.each([
    [{ lr: '-0.1' }, '--lr must be a number above 0 and at most 10 (got "-0.1").'],
    [
      { 'validation-split': '0.9' },
      '--validation-split must be a number from 0 to 0.5 (got "0.9").',
    ],
    [{ epochs: 'abc' }, '--epochs must be a whole number from 1 to 10,000 (got "abc").'],
    [{ 'batch-size': '0' }, '--batch-size must be a whole number from 1 to 65,536 (got "0").'],
    [{ 'early-stopping': '0' }, '--early-stopping must be a whole number of at least 1 (got "0").'],
    [{ seed: '-1' }, '--seed must be a whole number of at least 0 (got "-1").'],
    [{ optimizer: 'sgdd' }, '--optimizer must be one of sgd, adam, rmsprop, adagrad (got "sgdd").'],
  ])('%j: %s', (o, message) => {
    expect(optionError(o)).toBe(message);
  });

  it('reads good values into the TrainConfig fields, and only those given', () => {
    expect(
      configFromFlags({
        lr: '0.5',
        'early-stopping': '3',
        'validation-split': '0',
        augment: true,
      } as never),
    ).toEqual({
      learningRate: 0.5,
      earlyStopping: { patience: 3 },
      validationSplit: 0,
      augment: true,
    });
  });
});

describe('what the CLI prints', () => {
  it('--version prints the version', async () => {
    const r = await run('--version');
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('--help prints the help, a mistake only one line and the hint', async () => {
    const help = await run('train', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: netforge <command> [options]');
    const bad = await run('train', 'lenet5', '--epoch', '3');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      "netforge: Unknown option --epoch. Did you mean --epochs?\nRun 'netforge train --help' for the options.\n",
    );
    const none = await run();
    expect(none.code).toBe(1);
    expect(none.stderr).not.toContain('Usage:');
    expect(none.stderr).toContain("Run 'netforge --help' for the options.");
  });
});
