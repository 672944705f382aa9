// The run's settings: dataset and where it comes from, optimizer, learning rate and schedule,
// batch size, epochs, validation split, augmentation, early stopping, seed, sample limits and
// the engine.
import { useMemo } from 'react';
import { DATASET_INFO, DATASETS, type DatasetName } from '../../shared/graph/types.ts';
import { OPTIMIZERS } from '../../shared/train-config.ts';
import { useHost } from '../host/HostContext.tsx';
import { commitDoc } from '../store/doc-fields.ts';
import { useStore } from '../store/store.ts';
import {
  fieldErrors,
  fieldRange,
  type NumberField,
  type ScheduleKind,
  type TrainForm,
} from './config.ts';
import { useDataFolderError } from './data-folder.ts';
import { DatasetStatusLine } from './DatasetStatusLine.tsx';
import { EngineField } from './EngineField.tsx';
import { Check, Select, TextField } from './form-fields.tsx';
import { OPTIMIZER_NAMES } from './settings-line.ts';

const setForm = (change: Partial<TrainForm>) => useStore.getState().setForm(change);

const SCHEDULES: { value: ScheduleKind; label: string }[] = [
  { value: 'constant', label: 'Constant' },
  { value: 'step', label: 'Step decay' },
  { value: 'exponential', label: 'Exponential' },
  { value: 'cosine', label: 'Cosine' },
];

export function TrainingForm({ dataset, disabled }: { dataset: DatasetName; disabled: boolean }) {
  const host = useHost();
  // The desktop app's folder picker; browser mode has none.
  const picker = host.chooseFolder !== undefined;
  const serverDataDir = useStore((s) => s.serverDataDir);
  const form = useStore((s) => s.form);
  const errors = useMemo(() => fieldErrors(form), [form]);
  const err = (name: NumberField): string | null =>
    errors[name] ? `Must be ${fieldRange(name)}.` : null;
  const folderError = useDataFolderError(dataset);
  return (
    <div className="train-form">
      <Select
        label="Dataset"
        testId="train-dataset"
        value={dataset}
        options={DATASETS.map((d) => ({ value: d, label: DATASET_INFO[d].label }))}
        disabled={disabled}
        onChange={(d) => commitDoc({ dataset: d })}
      />
      <Select
        label="Optimizer"
        testId="train-optimizer"
        value={form.optimizer}
        options={OPTIMIZERS.map((o) => ({ value: o, label: OPTIMIZER_NAMES[o] }))}
        disabled={disabled}
        onChange={(o) => setForm({ optimizer: o })}
      />
      <TextField
        name="dataDir"
        label="Data folder"
        testId="train-data-dir"
        placeholder={serverDataDir ?? 'empty: the download cache'}
        title={
          serverDataDir
            ? `A folder with the dataset's files; empty uses ${serverDataDir}`
            : "A folder with the dataset's files; empty uses $NETFORGE_DATA_DIR or the download cache"
        }
        wide
        disabled={disabled}
        error={folderError}
      />
      {picker && (
        <div className="train-field wide">
          <button
            type="button"
            data-testid="train-choose-folder"
            disabled={disabled}
            onClick={() =>
              void host.chooseFolder?.('Folder with the dataset files').then((dir) => {
                if (dir) setForm({ dataDir: dir });
              })
            }
          >
            Choose a folder…
          </button>
        </div>
      )}
      <DatasetStatusLine dataset={dataset} dataDir={form.dataDir} />
      <TextField
        name="learningRate"
        error={err('learningRate')}
        label="Learning rate"
        testId="train-lr"
        disabled={disabled}
      />
      {form.optimizer === 'sgd' ? (
        <TextField
          name="momentum"
          error={err('momentum')}
          label="Momentum"
          testId="train-momentum"
          title="0 is plain SGD; 0.9 is usual"
          disabled={disabled}
        />
      ) : (
        <div />
      )}
      <Select
        label="LR schedule"
        testId="train-schedule"
        value={form.schedule}
        options={SCHEDULES}
        disabled={disabled}
        onChange={(k) => setForm({ schedule: k })}
      />
      {form.schedule === 'step' && (
        <>
          <TextField
            name="stepEvery"
            error={err('stepEvery')}
            label="Every (epochs)"
            testId="train-step-every"
            disabled={disabled}
          />
          <TextField
            name="stepFactor"
            error={err('stepFactor')}
            label="Multiply by"
            testId="train-step-factor"
            disabled={disabled}
          />
        </>
      )}
      {form.schedule === 'exponential' && (
        <TextField
          name="expRate"
          error={err('expRate')}
          label="Rate per epoch"
          testId="train-exp-rate"
          title="lr × rate^epoch"
          disabled={disabled}
        />
      )}
      {form.schedule === 'cosine' && (
        <TextField
          name="cosineMinLr"
          error={err('cosineMinLr')}
          label="Down to"
          testId="train-cosine-min"
          disabled={disabled}
        />
      )}
      {form.schedule === 'constant' && <div />}
      <TextField
        name="batchSize"
        error={err('batchSize')}
        label="Batch size"
        testId="train-batch-size"
        disabled={disabled}
      />
      <TextField
        name="epochs"
        error={err('epochs')}
        label="Epochs"
        testId="train-epochs"
        disabled={disabled}
      />
      <TextField
        name="validationSplit"
        error={err('validationSplit')}
        label="Validation %"
        testId="train-val-split"
        title="Hold out the last part of the training set to measure validation loss and accuracy each epoch"
        disabled={disabled}
      />
      <TextField
        name="seed"
        error={err('seed')}
        label="Seed"
        testId="train-seed"
        disabled={disabled}
      />
      <div className="train-field wide train-checks">
        <Check
          label="Augment (crop, flip)"
          testId="train-augment"
          checked={dataset === 'cifar10' && form.augment}
          disabled={disabled || dataset !== 'cifar10'}
          title={
            dataset === 'cifar10'
              ? 'Random 32×32 crops of the image padded by 4 px, and horizontal flips'
              : 'Augmentation is for CIFAR-10 (flipping digits would change them)'
          }
          onChange={(v) => setForm({ augment: v })}
        />
        <Check
          label="Early stopping"
          testId="train-early-stopping"
          checked={form.earlyStopping}
          disabled={disabled}
          title="Stop when the validation loss (or the training loss, without a validation split) has not improved for this many epochs"
          onChange={(v) => setForm({ earlyStopping: v })}
        />
        {form.earlyStopping && (
          <span className="train-patience">
            <TextField
              name="patience"
              error={err('patience')}
              label="Patience (epochs)"
              testId="train-patience"
              disabled={disabled}
            />
          </span>
        )}
      </div>
      <TextField
        name="limitTrain"
        error={err('limitTrain')}
        label="Limit train"
        testId="train-limit-train"
        placeholder="all"
        title="Use only the first N training images (quick experiments)"
        disabled={disabled}
      />
      <TextField
        name="limitTest"
        error={err('limitTest')}
        label="Limit test"
        testId="train-limit-test"
        placeholder="all"
        title="Evaluate on only the first N test images"
        disabled={disabled}
      />
      <EngineField disabled={disabled} />
    </div>
  );
}
