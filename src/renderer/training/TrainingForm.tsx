// The run's settings: dataset, data folder, optimizer and the numbers.
import { useId } from 'react';
import { DATASET_INFO, DATASETS, type DatasetName } from '../../shared/graph/types.ts';
import { OPTIMIZERS } from '../../shared/protocol.ts';
import { setForm, useTraining, type Optimizer, type TrainForm } from './training-store.ts';

type TextKey = 'learningRate' | 'batchSize' | 'epochs' | 'limitTrain' | 'limitTest';

const NUMBERS: { key: TextKey; label: string; testId: string; placeholder?: string }[] = [
  { key: 'learningRate', label: 'Learning rate', testId: 'train-lr' },
  { key: 'batchSize', label: 'Batch size', testId: 'train-batch-size' },
  { key: 'epochs', label: 'Epochs', testId: 'train-epochs' },
  { key: 'limitTrain', label: 'Limit train', testId: 'train-limit-train', placeholder: 'all' },
  { key: 'limitTest', label: 'Limit test', testId: 'train-limit-test', placeholder: 'all' },
];

function NumberField(props: {
  name: TextKey;
  label: string;
  testId: string;
  placeholder?: string;
  value: string;
  disabled: boolean;
}) {
  const id = useId();
  return (
    <div className="train-field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        data-testid={props.testId}
        inputMode="decimal"
        value={props.value}
        placeholder={props.placeholder}
        disabled={props.disabled}
        onChange={(e) => setForm({ [props.name]: e.target.value } as Partial<TrainForm>)}
      />
    </div>
  );
}

export function TrainingForm({ dataset, disabled }: { dataset: DatasetName; disabled: boolean }) {
  const form = useTraining((s) => s.form);
  const datasetId = useId();
  const dirId = useId();
  const optId = useId();
  return (
    <div className="train-form">
      <div className="train-field">
        <label htmlFor={datasetId}>Dataset</label>
        <select
          id={datasetId}
          data-testid="train-dataset"
          value={dataset}
          disabled={disabled}
          onChange={(e) => setForm({ dataset: e.target.value as DatasetName })}
        >
          {DATASETS.map((d) => (
            <option key={d} value={d}>
              {DATASET_INFO[d].label}
            </option>
          ))}
        </select>
      </div>
      <div className="train-field">
        <label htmlFor={optId}>Optimizer</label>
        <select
          id={optId}
          data-testid="train-optimizer"
          value={form.optimizer}
          disabled={disabled}
          onChange={(e) => setForm({ optimizer: e.target.value as Optimizer })}
        >
          {OPTIMIZERS.map((o) => (
            <option key={o} value={o}>
              {o === 'sgd' ? 'SGD' : o === 'rmsprop' ? 'RMSprop' : o[0]!.toUpperCase() + o.slice(1)}
            </option>
          ))}
        </select>
      </div>
      <div className="train-field wide">
        <label htmlFor={dirId}>Data folder</label>
        <input
          id={dirId}
          data-testid="train-data-dir"
          value={form.dataDir}
          placeholder="server default"
          disabled={disabled}
          title="A folder with the dataset's files; empty uses the server's data folder or download cache"
          onChange={(e) => setForm({ dataDir: e.target.value })}
        />
      </div>
      {NUMBERS.map((n) => (
        <NumberField
          key={n.key}
          name={n.key}
          label={n.label}
          testId={n.testId}
          placeholder={n.placeholder}
          value={form[n.key]}
          disabled={disabled}
        />
      ))}
    </div>
  );
}
