// Loss, accuracy, confusion matrix and misclassified samples of a model on a split.
import { EXAMPLES_PER_CLASS, type Evaluation } from '../../shared/events.ts';
import type { Tf } from './backend.ts';
import { makeBatch } from './batches.ts';
import type { Dataset, Split } from './datasets/index.ts';
import { crossEntropy } from './losses.ts';

type Model = ReturnType<Tf['model']>;
type Tensor = ReturnType<Tf['tensor']>;

const MAX_MISCLASSIFIED = 1000;

export function evaluateSplit(
  tf: Tf,
  model: Model,
  ds: Dataset,
  split: Split,
  probabilities: boolean,
  batchSize = 256,
): Evaluation {
  const k = ds.classNames.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const misclassified: Evaluation['misclassified'] = [];
  const correctExamples: Evaluation['correct'] = [];
  const kept = new Array<number>(k).fill(0);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(split.count, start + batchSize);
    const idx = Array.from({ length: end - start }, (_, i) => start + i);
    const batch = makeBatch(tf, ds, split, idx);
    const [loss, probs] = tf.tidy(() => {
      const out = model.apply(batch.xs, { training: false }) as Tensor;
      const l = crossEntropy(tf, batch.ys, out, probabilities);
      return [l, probabilities ? out : tf.softmax(out)] as const;
    });
    batch.xs.dispose();
    batch.ys.dispose();
    lossSum += loss.dataSync()[0]! * idx.length;
    const p = probs.dataSync();
    loss.dispose();
    probs.dispose();
    for (let i = 0; i < idx.length; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c;
      const label = split.labels[idx[i]!]!;
      confusion[label]![best]!++;
      if (best === label) {
        correct++;
        if (kept[label]! < EXAMPLES_PER_CLASS) {
          kept[label]!++;
          correctExamples.push({ index: idx[i]!, label, confidence: p[i * k + best]! });
        }
      } else if (misclassified.length < MAX_MISCLASSIFIED)
        misclassified.push({
          index: idx[i]!,
          label,
          predicted: best,
          confidence: p[i * k + best]!,
        });
    }
  }
  return {
    testLoss: split.count ? lossSum / split.count : NaN,
    testAccuracy: split.count ? correct / split.count : NaN,
    samples: split.count,
    classNames: ds.classNames,
    confusion,
    perClassAccuracy: confusion.map((row, c) => {
      const n = row.reduce((a, b) => a + b, 0);
      return n ? row[c]! / n : 0;
    }),
    misclassified,
    correct: correctExamples,
  };
}
