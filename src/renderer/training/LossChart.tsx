// Batch loss and accuracy over steps, as two SVG lines. The store applies batch events once a
// frame, so this redraws at most once a frame however fast the engine goes.
import { useTraining, type ChartPoint } from './training-store.ts';

const W = 260;
const H = 110;
const PAD = 4;

function path(points: ChartPoint[], value: (p: ChartPoint) => number | null, max: number) {
  const first = points[0]?.step ?? 0;
  const span = Math.max(1, (points[points.length - 1]?.step ?? 1) - first);
  let d = '';
  let pen = 'M';
  for (const p of points) {
    const v = value(p);
    if (v === null || !Number.isFinite(v)) {
      pen = 'M'; // a gap where the loss was NaN
      continue;
    }
    const x = PAD + ((p.step - first) / span) * (W - 2 * PAD);
    const y = H - PAD - (Math.min(v, max) / max) * (H - 2 * PAD);
    d += `${pen}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = 'L';
  }
  return d;
}

export function LossChart() {
  const points = useTraining((s) => s.points);
  if (points.length === 0) return null;
  let maxLoss = 0;
  for (const p of points) if (p.loss !== null && p.loss > maxLoss) maxLoss = p.loss;
  maxLoss = maxLoss > 0 ? maxLoss : 1;
  const last = points[points.length - 1]!;
  return (
    <figure className="train-chart">
      <svg
        data-testid="train-chart"
        data-points={points.length}
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Batch loss and accuracy over ${points.length} batches`}
      >
        <rect x={0} y={0} width={W} height={H} className="train-chart-bg" />
        <path className="train-chart-acc" d={path(points, (p) => p.accuracy, 1)} />
        <path className="train-chart-loss" d={path(points, (p) => p.loss, maxLoss)} />
      </svg>
      <figcaption>
        <span className="train-chart-loss-key">
          loss {last.loss === null ? 'NaN' : last.loss.toFixed(3)}
        </span>{' '}
        (max {maxLoss.toFixed(2)}) ·{' '}
        <span className="train-chart-acc-key">
          accuracy {last.accuracy === null ? '–' : `${(last.accuracy * 100).toFixed(1)}%`}
        </span>
      </figcaption>
    </figure>
  );
}
