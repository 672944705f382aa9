import { useId, useState } from 'react';
import type { GraphAnalysis } from '../../shared/graph/analyze.ts';
import { estimateTrainingMemory, formatBytes, OPTIMIZER_SLOTS } from '../../shared/graph/memory.ts';
import { useStore } from '../store/store.ts';

/** Training memory for a batch size the user picks (chapter 10.1 sizes the MLP this way). */
export function MemoryEstimate({ analysis }: { analysis: GraphAnalysis }) {
  const id = useId();
  const batch = useStore((s) => s.memoryBatchSize);
  const setBatch = useStore((s) => s.setMemoryBatchSize);
  const optimizer = useStore((s) => s.project.training.optimizer ?? 'sgd');
  const [draft, setDraft] = useState(String(batch));
  const valid = /^\d+$/.test(draft.trim()) && Number(draft) >= 1 && Number(draft) <= 65_536;
  const m = estimateTrainingMemory(
    analysis,
    batch,
    optimizer in OPTIMIZER_SLOTS ? optimizer : 'sgd',
  );

  return (
    <>
      <dt>
        <label htmlFor={id}>Memory, batch</label>{' '}
        <input
          id={id}
          className="num"
          type="text"
          inputMode="numeric"
          data-testid="memory-batch"
          aria-invalid={valid ? undefined : true}
          title={valid ? 'Batch size' : 'A batch size is a whole number from 1 to 65,536'}
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            const n = Number(e.target.value);
            if (/^\d+$/.test(e.target.value.trim()) && n >= 1 && n <= 65_536) setBatch(n);
          }}
        />
      </dt>
      <dd
        data-testid="summary-memory"
        title={`Weights, gradients and ${optimizer} state ${formatBytes(m.parameterBytes)}; activations and their gradients ${formatBytes(m.activationBytes)} (float32)`}
      >
        {formatBytes(m.totalBytes)}
      </dd>
    </>
  );
}
