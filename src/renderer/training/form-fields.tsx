// The Training form's field kinds: a text field (a number, or the data folder) marked with what
// is wrong with it, a choice among names, a tick box.
import { useId } from 'react';
import { useStore } from '../store/store.ts';
import { fieldRange, type NumberField, type TrainForm } from './config.ts';

const setForm = (change: Partial<TrainForm>) => useStore.getState().setForm(change);

/** A text field of the form: the data folder, or a number (its tooltip says what it takes). */
export function TextField(props: {
  name: NumberField | 'dataDir';
  label: string;
  testId: string;
  placeholder?: string;
  title?: string;
  wide?: boolean;
  disabled: boolean;
  /** What is wrong with the value: the field is marked and says so under it (true: marked only). */
  error?: string | true | null | undefined;
}) {
  const id = useId();
  const { name, error } = props;
  const value = useStore((s) => s.form[name]);
  const range = name === 'dataDir' ? null : `${props.label}: ${fieldRange(name)}`;
  const title = [props.title, range].filter(Boolean).join('. ') || undefined;
  return (
    <div
      className={`train-field${props.wide ? ' wide' : ''}${error ? ' invalid' : ''}`}
      title={title}
    >
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        data-testid={props.testId}
        inputMode={name === 'dataDir' ? 'text' : 'decimal'}
        value={value}
        placeholder={props.placeholder}
        disabled={props.disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={typeof error === 'string' ? `${id}-error` : undefined}
        onChange={(e) => setForm({ [name]: e.target.value } as Partial<TrainForm>)}
      />
      {typeof error === 'string' && (
        <div className="field-error" id={`${id}-error`} data-testid={`${props.testId}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}

export function Select<T extends string>(props: {
  label: string;
  testId: string;
  value: T;
  options: readonly { value: T; label: string }[];
  disabled: boolean;
  onChange: (v: T) => void;
  title?: string;
  /** Why a run cannot start with this choice: the field is marked (the note under it says why). */
  invalid?: boolean;
}) {
  const id = useId();
  return (
    <div className={`train-field${props.invalid ? ' invalid' : ''}`} title={props.title}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        data-testid={props.testId}
        value={props.value}
        disabled={props.disabled}
        aria-invalid={props.invalid ? true : undefined}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Check(props: {
  label: string;
  testId: string;
  checked: boolean;
  disabled: boolean;
  title?: string;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="train-check" title={props.title}>
      <input
        type="checkbox"
        data-testid={props.testId}
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      {props.label}
    </label>
  );
}
