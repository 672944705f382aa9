// The confusion matrix (rows: true class, columns: predicted), each cell shaded by its share
// of its row; the diagonal (right predictions) in the accent colour, errors in the error
// colour. With onSelect, every non-zero cell is a button; the arrow keys, Home and End move
// between them (one tab stop for the whole matrix).
import { useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import type { Evaluation } from '../../../shared/events.ts';
import { cellShade, className, nextCell, type MatrixKey } from './selection.ts';

export interface ConfusionMatrixProps {
  evaluation: Evaluation;
  /** The open cell, [true, predicted]. */
  selected: readonly [number, number] | null;
  /** Null: the cells are plain numbers. */
  onSelect: ((trueClass: number, predicted: number) => void) | null;
}

const KEYS = new Set<string>(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

/** The first non-zero diagonal cell, else the first non-zero cell. */
function firstCell(confusion: number[][]): [number, number] | null {
  for (let t = 0; t < confusion.length; t++) if ((confusion[t]?.[t] ?? 0) > 0) return [t, t];
  for (let t = 0; t < confusion.length; t++) {
    const p = confusion[t]!.findIndex((n) => n > 0);
    if (p >= 0) return [t, p];
  }
  return null;
}

export function ConfusionMatrix({ evaluation, selected, onSelect }: ConfusionMatrixProps) {
  const { classNames, confusion } = evaluation;
  const tableRef = useRef<HTMLTableElement>(null);
  const [focused, setFocused] = useState<readonly [number, number] | null>(null);
  const tabStop = focused ?? selected ?? firstCell(confusion);
  const longNames = classNames.some((c) => c.length > 3);

  const onKeyDown = (event: KeyboardEvent, t: number, p: number) => {
    if (!KEYS.has(event.key)) return;
    event.preventDefault();
    const to = nextCell(confusion, t, p, event.key as MatrixKey);
    if (!to) return;
    tableRef.current
      ?.querySelector<HTMLButtonElement>(`button[data-cell="${to[0]}-${to[1]}"]`)
      ?.focus();
  };

  return (
    <div className="ev-matrix-wrap">
      <table
        ref={tableRef}
        className={`ev-matrix${longNames ? ' long-names' : ''}`}
        data-testid="confusion-matrix"
      >
        <caption className="muted">
          Rows: true class · columns: predicted
          {onSelect ? ' · choose a cell to see its images' : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="ev-sr-only">true class</span>
            </th>
            {classNames.map((c, p) => (
              <th key={p} scope="col" title={`predicted ${c}`}>
                <span>{c}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {confusion.map((row, t) => {
            const rowTotal = row.reduce((a, b) => a + b, 0);
            return (
              <tr key={t}>
                <th scope="row">{className(classNames, t)}</th>
                {row.map((n, p) => {
                  const diag = p === t;
                  const style = { '--shade': cellShade(n, rowTotal) } as CSSProperties;
                  const describe =
                    `${n.toLocaleString('en-US')} ${n === 1 ? 'image' : 'images'} of ` +
                    `${className(classNames, t)}` +
                    (diag ? ' predicted right' : ` predicted as ${className(classNames, p)}`);
                  const isSelected = selected?.[0] === t && selected[1] === p;
                  return (
                    <td
                      key={p}
                      className={`${diag ? 'diag' : 'off'}${n === 0 ? ' zero' : ''}${isSelected ? ' selected' : ''}`}
                      style={style}
                    >
                      {onSelect && n > 0 ? (
                        <button
                          type="button"
                          data-testid={`confusion-cell-${t}-${p}`}
                          data-cell={`${t}-${p}`}
                          aria-pressed={isSelected}
                          aria-label={describe}
                          title={describe}
                          tabIndex={tabStop?.[0] === t && tabStop[1] === p ? 0 : -1}
                          onFocus={() => setFocused([t, p])}
                          onKeyDown={(e) => onKeyDown(e, t, p)}
                          onClick={() => onSelect(t, p)}
                        >
                          {n}
                        </button>
                      ) : (
                        <span title={describe}>{n}</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
