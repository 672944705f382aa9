// The Training form: its fields into a TrainConfig (limits from the schema), into the settings a
// project keeps, and back.
import { describe, expect, it } from 'vitest';
import { parseProject, serializeProject, newProject } from '../../shared/project.ts';
import { emptyGraph } from '../../shared/graph/types.ts';
import { trainConfigSchema } from '../../shared/train-config.ts';
import {
  formFrom,
  initialForm,
  NUMBER_FIELDS,
  savedTraining,
  toConfig,
  type NumberField,
  type TrainForm,
} from './config.ts';
import { formatEta } from './TrainingProgress.tsx';

describe('training form', () => {
  it('turns the fields into a config, empty limits meaning all', () => {
    const r = toConfig({ ...initialForm, limitTrain: '640', limitTest: '' }, 'mnist');
    expect(r).toEqual({
      ok: true,
      config: {
        dataset: 'mnist',
        optimizer: 'sgd',
        learningRate: 0.01,
        momentum: 0,
        schedule: { kind: 'constant' },
        batchSize: 32,
        epochs: 5,
        validationSplit: 0,
        augment: false,
        earlyStopping: null,
        seed: 42,
        limitTrain: 640,
        limitTest: null,
        engine: 'auto',
      },
    });
  });

  it('carries the schedule, validation split, early stopping and augmentation', () => {
    const r = toConfig(
      {
        ...initialForm,
        optimizer: 'sgd',
        momentum: '0.9',
        schedule: 'step',
        stepEvery: '3',
        stepFactor: '0.1',
        validationSplit: '10',
        earlyStopping: true,
        patience: '2',
        augment: true,
        seed: '7',
      },
      'cifar10',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      momentum: 0.9,
      schedule: { kind: 'step', everyEpochs: 3, factor: 0.1 },
      validationSplit: 0.1,
      earlyStopping: { patience: 2 },
      augment: true,
      seed: 7,
    });
    // The engine's own schema takes what the form makes.
    expect(trainConfigSchema.safeParse(r.config).success).toBe(true);
  });

  it('does not augment MNIST, and ignores momentum for Adam', () => {
    const r = toConfig(
      { ...initialForm, augment: true, optimizer: 'adam', momentum: '5' },
      'mnist',
    );
    expect(r).toMatchObject({ ok: true, config: { augment: false, momentum: 0 } });
  });

  it('says which field is wrong', () => {
    const reason = (change: Partial<typeof initialForm>) => {
      const r = toConfig({ ...initialForm, ...change }, 'mnist');
      return r.ok ? null : r.reason;
    };
    expect(reason({ learningRate: '0' })).toMatch(/Learning rate/);
    expect(reason({ batchSize: '3.5' })).toMatch(/Batch size/);
    expect(reason({ limitTest: '-1' })).toMatch(/Limit test/);
    expect(reason({ validationSplit: '60' })).toMatch(/Validation split .* 0 to 50/);
    expect(reason({ momentum: '1.5' })).toMatch(/Momentum/);
    expect(reason({ schedule: 'exponential', expRate: '0' })).toMatch(/Decay rate/);
    expect(reason({ schedule: 'step', stepEvery: '0' })).toMatch(/every/);
    expect(reason({ earlyStopping: true, patience: '' })).toMatch(/Patience/);
    expect(reason({ seed: 'x' })).toMatch(/Seed/);
  });

  it('reads a saved config back into the form', () => {
    const form = {
      ...initialForm,
      optimizer: 'sgd' as const,
      momentum: '0.9',
      schedule: 'cosine' as const,
      cosineMinLr: '0.001',
      validationSplit: '20',
      earlyStopping: true,
      patience: '4',
      limitTrain: '1000',
      engine: 'torch' as const,
    };
    const r = toConfig(form, 'mnist');
    if (!r.ok) throw new Error(r.reason);
    const back = formFrom(trainConfigSchema.parse(r.config), initialForm);
    expect(toConfig(back, 'mnist')).toEqual(r);
  });
});

/** The form with `name` holding `text`, and the settings that need it switched on. */
function withField(name: NumberField, text: string): TrainForm {
  const on: Partial<TrainForm> =
    name === 'stepEvery' || name === 'stepFactor'
      ? { schedule: 'step' }
      : name === 'expRate'
        ? { schedule: 'exponential' }
        : name === 'cosineMinLr'
          ? { schedule: 'cosine' }
          : name === 'patience'
            ? { earlyStopping: true }
            : {};
  return { ...initialForm, ...on, [name]: text };
}

describe("the form's limits are the schema's", () => {
  const tiny = 1e-9;
  const fields = Object.entries(NUMBER_FIELDS) as [
    NumberField,
    (typeof NUMBER_FIELDS)[NumberField],
  ][];

  it.each(fields)('%s: the form accepts what the engine accepts, at each edge', (name, spec) => {
    const { min, max, integer } = spec.bounds;
    const step = integer ? 1 : tiny;
    const values = [
      ...(min !== null ? [min - step, min, min + step] : []),
      ...(max !== null ? [max - step, max, max + step] : []),
      ...(integer ? [(min ?? 0) + 1.5] : []),
    ];
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) {
      const r = toConfig(withField(name, String(v)), 'mnist');
      const engine = r.ok && trainConfigSchema.safeParse(r.config).success;
      // The config the form makes is one the schema takes, exactly when the form takes it.
      if (r.ok) expect(engine, `${name} = ${v}`).toBe(true);
      const schemaTakes = trainConfigSchema.safeParse({
        ...(toConfig(initialForm, 'mnist') as { config: object }).config,
        ...settingFor(name, v),
      }).success;
      expect(r.ok, `${name} = ${v}`).toBe(schemaTakes);
      if (!r.ok) expect(r.reason).toContain(spec.label);
    }
  });

  it('names the field and the range the schema allows', () => {
    const reason = (name: NumberField, text: string) => {
      const r = toConfig(withField(name, text), 'mnist');
      return r.ok ? null : r.reason;
    };
    expect(reason('epochs', '0')).toBe('Epochs must be a whole number from 1 to 10,000.');
    expect(reason('batchSize', '70000')).toBe(
      'Batch size must be a whole number from 1 to 65,536.',
    );
    expect(reason('learningRate', '0')).toBe(
      'Learning rate must be a number above 0 and at most 10.',
    );
    expect(reason('validationSplit', '60')).toBe('Validation split must be a number from 0 to 50.');
    expect(reason('stepFactor', '0')).toBe(
      'Step schedule: factor must be a number above 0 and at most 1.',
    );
    // Whole numbers the schema bounds only below (z.int() stops at the largest safe integer).
    expect(reason('seed', '-1')).toBe('Seed must be a whole number of at least 0.');
    expect(reason('patience', '0')).toBe('Patience must be a whole number of at least 1.');
    expect(reason('cosineMinLr', '-1')).toBe(
      'Minimum learning rate must be a number of at least 0.',
    );
  });
});

/** The TrainConfig setting a field's value `v` (in the form's units) stands for. */
function settingFor(name: NumberField, v: number): Record<string, unknown> {
  switch (name) {
    case 'stepEvery':
      return { schedule: { kind: 'step', everyEpochs: v, factor: 0.5 } };
    case 'stepFactor':
      return { schedule: { kind: 'step', everyEpochs: 10, factor: v } };
    case 'expRate':
      return { schedule: { kind: 'exponential', rate: v } };
    case 'cosineMinLr':
      return { schedule: { kind: 'cosine', minLr: v } };
    case 'patience':
      return { earlyStopping: { patience: v, minDelta: 0 } };
    case 'validationSplit':
      return { validationSplit: v / 100 };
    default:
      return { [name]: v };
  }
}

describe('the settings a project keeps', () => {
  it('saves the valid settings as TrainConfig values, not the data folder', () => {
    const form: TrainForm = {
      ...initialForm,
      dataDir: '/data',
      optimizer: 'adam',
      learningRate: '0.001',
      momentum: '0.9',
      epochs: '12',
      validationSplit: '10',
      schedule: 'step',
      stepEvery: '3',
      stepFactor: '0.1',
      limitTrain: '640',
    };
    expect(savedTraining(form)).toEqual({
      optimizer: 'adam',
      learningRate: 0.001,
      momentum: 0.9, // kept for when the optimizer goes back to SGD
      schedule: { kind: 'step', everyEpochs: 3, factor: 0.1 },
      batchSize: 32,
      epochs: 12,
      validationSplit: 0.1,
      augment: false,
      earlyStopping: null,
      seed: 42,
      limitTrain: 640,
      limitTest: null,
      engine: 'auto',
    });
  });

  it('leaves out the fields that are not valid, keeping the others', () => {
    const saved = savedTraining({
      ...initialForm,
      epochs: 'ten',
      schedule: 'step',
      stepFactor: '2',
    });
    expect(saved).not.toHaveProperty('epochs');
    expect(saved).not.toHaveProperty('schedule');
    expect(saved.learningRate).toBe(0.01);
  });

  it('restores them through a project file; missing ones keep the defaults', () => {
    const form: TrainForm = {
      ...initialForm,
      optimizer: 'rmsprop',
      learningRate: '0.005',
      epochs: '7',
      earlyStopping: true,
      patience: '2',
      augment: true,
      engine: 'torch',
    };
    const text = serializeProject({ ...newProject(emptyGraph()), training: savedTraining(form) });
    const back = formFrom(parseProject(text).training, { ...initialForm, dataDir: '/here' });
    expect(back).toEqual({ ...form, dataDir: '/here' });
    const partial = formFrom({ epochs: 3 }, initialForm);
    expect(partial).toEqual({ ...initialForm, epochs: '3' });
  });
});

describe('progress', () => {
  it('formats the ETA', () => {
    expect(formatEta(42)).toBe('42 s');
    expect(formatEta(125)).toBe('2 min 5 s');
    expect(formatEta(3 * 3600 + 60)).toBe('3 h 1 min');
  });
});
