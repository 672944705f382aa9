// How often each class was predicted right, as a number and a small bar.
import type { Evaluation } from '../../../shared/events.ts';
import { className, percent } from './selection.ts';

export function PerClassAccuracy({ evaluation }: { evaluation: Evaluation }) {
  const { classNames, confusion, perClassAccuracy } = evaluation;
  return (
    <table className="ev-per-class" data-testid="per-class-accuracy">
      <caption className="ev-sr-only">Accuracy per class</caption>
      <tbody>
        {perClassAccuracy.map((acc, t) => {
          const row = confusion[t] ?? [];
          const total = row.reduce((a, b) => a + b, 0);
          const right = row[t] ?? 0;
          const fraction = Number.isFinite(acc) ? Math.min(1, Math.max(0, acc)) : 0;
          return (
            <tr
              key={t}
              title={`${right.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} right`}
            >
              <th scope="row">{className(classNames, t)}</th>
              <td className="ev-bar-cell">
                <div className="ev-bar" aria-hidden="true">
                  <div style={{ width: `${fraction * 100}%` }} />
                </div>
              </td>
              <td className="num">{percent(acc, 1)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
