// The Engine field: Auto / TensorFlow.js / PyTorch, with what engines.status says of the choice
// under it (what Auto picks and why, PyTorch's version and device, or why it cannot train here).
import { useStore } from '../store/store.ts';
import { engineNote, engineOptions } from './engine-field.ts';
import { Select } from './form-fields.tsx';

export function EngineField({ disabled }: { disabled: boolean }) {
  const engine = useStore((s) => s.form.engine);
  const status = useStore((s) => s.enginesStatus);
  const note = engineNote(engine, status);
  return (
    <>
      <Select
        label="Engine"
        testId="train-engine"
        value={engine}
        options={engineOptions(status)}
        disabled={disabled}
        title="Auto: a GPU engine if one works, else the faster CPU engine (PyTorch where found)"
        invalid={note?.problem}
        onChange={(e) => useStore.getState().setForm({ engine: e })}
      />
      <div />
      {note && (
        <p
          className={`train-field wide train-engine-status${note.problem ? ' warn' : ' muted'}`}
          data-testid="train-engine-status"
          data-problem={note.problem ? 'true' : undefined}
        >
          {note.text}
        </p>
      )}
    </>
  );
}
