// After a run: test accuracy and loss, the confusion matrix (a cell opens its images), accuracy
// per class, the wrong predictions as a gallery, and what the network sees for the image
// chosen in either.
import { useMemo, useRef, useState } from 'react';
import type { Evaluation } from '../../../shared/events.ts';
import { ConfusionMatrix } from './ConfusionMatrix.tsx';
import { FeatureMapsView } from './FeatureMapsView.tsx';
import { ImageGallery } from './ImageGallery.tsx';
import type { RunInspector } from './types.ts';
import { PerClassAccuracy } from './PerClassAccuracy.tsx';
import {
  cellCountText,
  cellExamples,
  className,
  orderExamples,
  percent,
  wrongTotal,
  type GalleryOrder,
} from './selection.ts';

import './evaluation.css';

export interface EvaluationPanelProps {
  evaluation: Evaluation;
  /** Loads the run's test images and feature maps; null: only the numbers are shown. */
  inspector: RunInspector | null;
  /**
   * Called with the test-set index of a thumbnail the user picks. When given, the caller shows
   * the feature maps (FeatureMapsView) itself; without it the panel shows them below the
   * gallery.
   */
  onSelectImage?(index: number): void;
  /** The test image the caller's feature maps show, to mark its thumbnail. */
  selectedIndex?: number;
}

export function EvaluationPanel({
  evaluation,
  inspector,
  onSelectImage,
  selectedIndex,
}: EvaluationPanelProps) {
  const { classNames } = evaluation;
  const [cell, setCell] = useState<readonly [number, number] | null>(null);
  const [order, setOrder] = useState<GalleryOrder>('confidence');
  const [ownIndex, setOwnIndex] = useState<number | null>(null);
  const featuresRef = useRef<HTMLElement>(null);

  const wrong = useMemo(
    () => orderExamples(evaluation.misclassified, order),
    [evaluation.misclassified, order],
  );
  // In test order, as the engine keeps them.
  const selection = useMemo(
    () => (cell ? cellExamples(evaluation, cell[0], cell[1]) : null),
    [evaluation, cell],
  );
  const wrongCount = wrongTotal(evaluation);
  const index = selectedIndex ?? ownIndex ?? wrong[0]?.index ?? 0;

  const select = (i: number) => {
    setOwnIndex(i);
    onSelectImage?.(i);
  };
  const show = (i: number) => {
    select(i);
    featuresRef.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  };
  const toggleCell = (t: number, p: number) =>
    setCell(cell && cell[0] === t && cell[1] === p ? null : [t, p]);

  return (
    <div className="ev-panel" data-testid="evaluation-panel">
      <p data-testid="train-test-accuracy" className="ev-summary">
        Test accuracy <strong>{percent(evaluation.testAccuracy, 2)}</strong>
        <span className="muted">
          {' '}
          · loss {Number.isFinite(evaluation.testLoss)
            ? evaluation.testLoss.toFixed(4)
            : '–'} on {evaluation.samples.toLocaleString('en-US')} images
        </span>
      </p>
      {!inspector && (
        <p className="ev-note muted" data-testid="evaluation-no-images">
          The test images and feature maps of this run can&apos;t be shown here; they need
          Netforge&apos;s engine and the run&apos;s dataset.
        </p>
      )}

      <div className="ev-columns">
        <section aria-label="Confusion matrix">
          <h3>Confusion matrix</h3>
          <ConfusionMatrix
            evaluation={evaluation}
            selected={inspector ? cell : null}
            onSelect={inspector ? toggleCell : null}
          />
        </section>
        <section aria-label="Accuracy per class">
          <h3>Per class</h3>
          <PerClassAccuracy evaluation={evaluation} />
        </section>
      </div>

      {inspector && selection && (
        <section
          className="ev-cell"
          data-testid="cell-images"
          aria-label="Images of the chosen cell"
        >
          <header>
            <h3>
              {selection.trueClass === selection.predicted
                ? `${className(classNames, selection.trueClass)} predicted right`
                : `${className(classNames, selection.trueClass)} predicted as ${className(classNames, selection.predicted)}`}
            </h3>
            <button type="button" className="link" onClick={() => setCell(null)}>
              Close
            </button>
          </header>
          <p className="muted" data-testid="cell-images-count">
            {cellCountText(selection)}
            {selection.note ? ` ${selection.note}` : ''}
          </p>
          {selection.examples.length > 0 && (
            <ImageGallery
              key={`${selection.trueClass}-${selection.predicted}`}
              inspector={inspector}
              examples={selection.examples}
              classNames={classNames}
              selectedIndex={index}
              onSelect={show}
              testId="cell-images"
              label="Images of the chosen cell"
            />
          )}
        </section>
      )}

      {inspector && (
        <section
          className="ev-wrong-list"
          data-testid="misclassified-gallery"
          aria-label="Wrong predictions"
        >
          <header>
            <h3>
              Wrong predictions{' '}
              <span className="muted">({wrongCount.toLocaleString('en-US')})</span>
            </h3>
            {wrong.length > 1 && (
              <label className="muted">
                Order{' '}
                <select
                  data-testid="misclassified-order"
                  value={order}
                  onChange={(e) => setOrder(e.target.value as GalleryOrder)}
                >
                  <option value="confidence">most confident first</option>
                  <option value="test">test-set order</option>
                </select>
              </label>
            )}
          </header>
          {wrong.length < wrongCount && (
            <p className="muted">
              The run kept the first {wrong.length.toLocaleString('en-US')} of them, in test order;
              the gallery shows those.
            </p>
          )}
          {wrongCount === 0 ? (
            <p className="muted">No wrong predictions on the test set.</p>
          ) : (
            <ImageGallery
              key={order}
              inspector={inspector}
              examples={wrong}
              classNames={classNames}
              selectedIndex={index}
              onSelect={show}
              testId="misclassified"
              label="Wrong predictions: true class → predicted, confidence"
            />
          )}
        </section>
      )}

      {inspector && !onSelectImage && (
        <section
          className="ev-features-section"
          ref={featuresRef}
          aria-label="What the network sees"
        >
          <h3>What the network sees</h3>
          <FeatureMapsView
            inspector={inspector}
            index={index}
            onIndexChange={select}
            testSamples={evaluation.samples}
            classNames={classNames}
          />
        </section>
      )}
    </div>
  );
}
