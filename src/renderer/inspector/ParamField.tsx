// One parameter of the selected layer, as the layer spec describes it. Values
// are checked as they are typed; only valid ones are committed (and so re-infer
// shapes at once), invalid ones stay in the field with the reason under it.
import { useId, useState, type ReactNode } from 'react';
import type { ParamSpec, ParamValue } from '../../shared/layers/params.ts';
import type { AnyLayerSpec } from '../../shared/layers/spec.ts';
import { checkCandidate, fromDrafts, sameValue, shownValue, toDrafts } from './param-text.ts';
import { useDrafts } from './useDrafts.ts';

export interface ParamFieldProps {
  layer: AnyLayerSpec;
  /** The node's raw parameters (defaults not filled in). */
  params: Readonly<Record<string, unknown>>;
  name: string;
  onCommit: (value: ParamValue) => void;
}

interface FieldProps extends ParamFieldProps {
  spec: ParamSpec;
  value: unknown;
  id: string;
}

const PART_LABELS: Partial<Record<ParamSpec['type'], string[]>> = {
  pair: ['height', 'width'],
  padding: ['top', 'bottom', 'left', 'right'],
};

export function ParamField(props: ParamFieldProps) {
  const id = useId();
  const spec = props.layer.params[props.name];
  if (!spec) return null;
  const value = shownValue(spec, props.params, props.name);
  const field: FieldProps = { ...props, spec, value, id };
  switch (spec.type) {
    case 'bool':
    case 'enum':
      return <ChoiceField {...field} />;
    case 'padding':
      return <PaddingField {...field} />;
    default:
      return <TextField {...field} />;
  }
}

function Field(p: {
  id: string;
  label: string;
  name: string;
  error: string | null;
  help?: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={p.id}>{p.label}</label>
      <div className="field-inputs">{p.children}</div>
      {p.error ? (
        <div className="field-error" role="alert" data-testid={`param-${p.name}-error`}>
          {p.error}
        </div>
      ) : p.help ? (
        <div className="field-help">{p.help}</div>
      ) : null}
    </div>
  );
}

/** Commits `candidate` if valid; returns the message when it is not. */
function attempt(f: FieldProps, candidate: unknown): string | null {
  const r = checkCandidate(f.layer, f.params, f.name, candidate);
  if (!r.ok) return r.error;
  if (!sameValue(r.value, f.value)) f.onCommit(r.value);
  return null;
}

function ChoiceField(f: FieldProps) {
  const [error, setError] = useState<string | null>(null);
  const label = f.spec.label ?? f.name;
  const testId = `param-${f.name}`;
  return (
    <Field id={f.id} label={label} name={f.name} error={error} help={f.spec.help}>
      {f.spec.type === 'enum' ? (
        <select
          id={f.id}
          data-testid={testId}
          value={String(f.value)}
          onChange={(e) => setError(attempt(f, e.target.value))}
        >
          {f.spec.values.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={f.id}
          type="checkbox"
          data-testid={testId}
          checked={f.value === true}
          onChange={(e) => setError(attempt(f, e.target.checked))}
        />
      )}
    </Field>
  );
}

/** Numbers, pairs (optionally unset) and shapes: one text input per part. */
function TextField(f: FieldProps) {
  const { spec } = f;
  const { drafts, error, setDrafts } = useDrafts(
    f.value,
    (v) => toDrafts(spec, v),
    (d) => fromDrafts(spec, d),
  );
  // Unticking "unset" shows empty inputs; the pair commits once both are valid.
  const [setting, setSetting] = useState(false);
  const optional = spec.type === 'pair' && spec.optional === true;
  const unset = optional && f.value === null && !setting;
  const parts = PART_LABELS[spec.type];
  const multi = drafts.length > 1;

  const change = (i: number, text: string): void => {
    const next = drafts.with(i, text);
    const error = attempt(f, fromDrafts(spec, next));
    setDrafts(next, error);
    if (!error) setSetting(false);
  };
  const toggleUnset = (checked: boolean): void => {
    setSetting(!checked);
    if (checked) setDrafts(drafts, attempt(f, null));
    else if (drafts.some((d) => d.trim() !== ''))
      setDrafts(drafts, attempt(f, fromDrafts(spec, drafts)));
  };

  return (
    <Field id={f.id} label={spec.label ?? f.name} name={f.name} error={error} help={spec.help}>
      {drafts.map((text, i) => (
        <input
          key={i}
          id={i === 0 ? f.id : undefined}
          className={spec.type === 'shape' ? 'wide' : 'num'}
          type="text"
          inputMode={spec.type === 'float' ? 'decimal' : spec.type === 'shape' ? 'text' : 'numeric'}
          spellCheck={false}
          data-testid={multi ? `param-${f.name}-${i}` : `param-${f.name}`}
          aria-label={multi && parts ? `${spec.label ?? f.name} ${parts[i]}` : undefined}
          aria-invalid={error ? true : undefined}
          placeholder={unset ? 'auto' : spec.type === 'shape' ? 'e.g. 28, 28, 1' : undefined}
          disabled={unset}
          value={unset ? '' : text}
          onChange={(e) => change(i, e.target.value)}
        />
      ))}
      {optional && (
        <label className="unset">
          <input
            type="checkbox"
            data-testid={`param-${f.name}-unset`}
            checked={unset}
            onChange={(e) => toggleUnset(e.target.checked)}
          />
          unset
        </label>
      )}
    </Field>
  );
}

const PADDING_MODES = ['valid', 'same', 'explicit'] as const;

/** "valid", "same" or explicit [[top, bottom], [left, right]]. */
function PaddingField(f: FieldProps) {
  const { spec } = f;
  const { drafts, error, setDrafts } = useDrafts(
    f.value,
    (v) => toDrafts(spec, v),
    (d) => fromDrafts(spec, d),
  );
  const mode = Array.isArray(f.value) ? 'explicit' : String(f.value);
  const parts = PART_LABELS.padding!;
  const choose = (m: string): void =>
    setDrafts(drafts, attempt(f, m === 'explicit' ? fromDrafts(spec, drafts) : m));
  const change = (i: number, text: string): void => {
    const next = drafts.with(i, text);
    setDrafts(next, attempt(f, fromDrafts(spec, next)));
  };
  return (
    <Field id={f.id} label={spec.label ?? f.name} name={f.name} error={error} help={spec.help}>
      <select
        id={f.id}
        data-testid={`param-${f.name}`}
        value={mode}
        onChange={(e) => choose(e.target.value)}
      >
        {PADDING_MODES.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
      {mode === 'explicit' &&
        drafts.map((text, i) => (
          <input
            key={i}
            className="num"
            type="text"
            inputMode="numeric"
            title={parts[i]}
            aria-label={`${spec.label ?? f.name} ${parts[i]}`}
            data-testid={`param-${f.name}-${i}`}
            aria-invalid={error ? true : undefined}
            value={text}
            onChange={(e) => change(i, e.target.value)}
          />
        ))}
    </Field>
  );
}
