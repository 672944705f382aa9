// After a run: test accuracy and loss, and the confusion matrix (rows: true class).
import type { CSSProperties } from 'react';
import { useTraining } from './training-store.ts';

export function EvaluationView() {
  const evaluation = useTraining((s) => s.evaluation);
  if (!evaluation) return null;
  const { classNames, confusion, perClassAccuracy } = evaluation;
  let max = 1;
  for (const row of confusion) for (const n of row) if (n > max) max = n;
  return (
    <div className="train-eval">
      <p data-testid="train-test-accuracy" className="train-test-accuracy">
        Test accuracy <strong>{(evaluation.testAccuracy * 100).toFixed(2)}%</strong>
        <span className="muted">
          {' '}
          · loss {evaluation.testLoss.toFixed(4)} · {evaluation.samples.toLocaleString('en-US')}{' '}
          samples
        </span>
      </p>
      <div className="confusion-wrap">
        <table className="confusion" data-testid="confusion-matrix">
          <caption className="muted">Rows: true class · columns: predicted</caption>
          <thead>
            <tr>
              <th />
              {classNames.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
              <th scope="col">acc.</th>
            </tr>
          </thead>
          <tbody>
            {confusion.map((row, t) => (
              <tr key={t}>
                <th scope="row">{classNames[t] ?? t}</th>
                {row.map((n, p) => (
                  <td
                    key={p}
                    className={p === t ? 'diag' : undefined}
                    style={{ '--shade': n / max } as CSSProperties}
                  >
                    {n}
                  </td>
                ))}
                <td className="muted">{((perClassAccuracy[t] ?? 0) * 100).toFixed(0)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
