// "What the network sees": one layer's outputs (feature maps) for one test image, from the
// run's trained model. Each map is scaled on its own from its min (black) to its max (white).
import { useEffect, useId, useMemo, useState } from 'react';
import type { FeatureMaps } from '../../../shared/api.ts';
import { loadedClassNames } from './image-loader.ts';
import { errorMessage, type RunInspector } from './types.ts';
import { PixelImage } from './PixelImage.tsx';
import { decodeBase64, displayWidth, splitMaps } from './pixels.ts';
import { className, parseIndex } from './selection.ts';
import { useImages } from './use-images.ts';

import './evaluation.css';

export interface FeatureMapsViewProps {
  inspector: RunInspector;
  /** The test image shown (0-based test-set index). */
  index: number;
  onIndexChange(index: number): void;
  /** How many test images the run has (valid indices are 0..testSamples-1). */
  testSamples: number;
  /** The dataset's class names; else those of the images loaded. */
  classNames?: readonly string[];
}

const SIZES = { small: 40, medium: 72, large: 128 } as const;
type Size = keyof typeof SIZES;

interface Result {
  inspector: RunInspector;
  key: string;
  data: FeatureMaps | null;
  error: string | null;
}

const fmtRange = (x: number) =>
  Math.abs(x) >= 1000 || (x !== 0 && Math.abs(x) < 0.001) ? x.toExponential(2) : x.toFixed(3);

export function FeatureMapsView({
  inspector,
  index,
  onIndexChange,
  testSamples,
  classNames,
}: FeatureMapsViewProps) {
  const [layer, setLayer] = useState<string | null>(null);
  const [text, setText] = useState(String(index));
  const [shownIndex, setShownIndex] = useState(index);
  const [shownInspector, setShownInspector] = useState(inspector);
  const [result, setResult] = useState<Result | null>(null);
  const [size, setSize] = useState<Size>('medium');
  /** The layers to choose from, kept from the last reply that had them. */
  const [layers, setLayers] = useState<FeatureMaps['layers']>([]);
  const id = useId();

  // A new index from outside (a thumbnail) replaces what was typed; another run starts over.
  if (index !== shownIndex) {
    setShownIndex(index);
    setText(String(index));
  }
  if (inspector !== shownInspector) {
    setShownInspector(inspector);
    setLayer(null);
    setResult(null);
    setLayers([]);
  }

  const valid = Number.isInteger(index) && index >= 0 && index < testSamples;
  const key = `${layer ?? ''}\n${index}`;
  useEffect(() => {
    if (!valid) return;
    let live = true; // a reply for a layer or image no longer asked for is dropped
    inspector.featureMaps(layer, index).then(
      (data) => {
        if (live) setResult({ inspector, key, data, error: null });
      },
      (error: unknown) => {
        if (live) setResult({ inspector, key, data: null, error: errorMessage(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [inspector, layer, index, key, valid]);

  const current = result && result.inspector === inspector ? result : null;
  const fresh = current?.key === key ? current : null;
  const loading = valid && !fresh;
  // While the next reply is on its way the last maps stay, dimmed.
  const data = current?.data ?? null;
  if (data && data.layers !== layers && data.layers.length > 0) setLayers(data.layers);

  const maps = useMemo(() => {
    if (!data) return null;
    try {
      return splitMaps(decodeBase64(data.maps), data.shown, data.width, data.height);
    } catch (error) {
      return errorMessage(error);
    }
  }, [data]);

  const input = useImages(inspector, valid ? [index] : []);
  const image = input.images.get(index);
  const names = classNames ?? loadedClassNames(inspector) ?? [];
  const typed = parseIndex(text, testSamples);
  const max = Math.max(0, testSamples - 1);

  const go = (n: number) => {
    setText(String(n));
    if (n !== index) onIndexChange(n);
  };

  return (
    <section className="ev-features" data-testid="feature-maps" aria-label="Feature maps">
      <div className="ev-features-controls">
        <label>
          Layer{' '}
          <select
            data-testid="feature-layer"
            value={layer ?? data?.layer ?? ''}
            disabled={layers.length === 0}
            onChange={(e) => setLayer(e.target.value)}
          >
            {layers.length === 0 && <option value="">first layer with maps</option>}
            {layers.map((l) => (
              <option key={l.name} value={l.name}>
                {l.name} · {l.shape.join('×')}
              </option>
            ))}
          </select>
        </label>
        <span className="ev-index">
          <label htmlFor={`${id}-index`}>Test image</label>{' '}
          <button
            type="button"
            aria-label="Previous test image"
            disabled={!valid || index <= 0}
            onClick={() => go(index - 1)}
          >
            ‹
          </button>
          <input
            id={`${id}-index`}
            className="num"
            type="number"
            min={0}
            max={max}
            step={1}
            data-testid="feature-index"
            value={text}
            aria-invalid={typed === null}
            aria-describedby={typed === null ? `${id}-error` : undefined}
            onChange={(e) => {
              setText(e.target.value);
              const n = parseIndex(e.target.value, testSamples);
              if (n !== null && n !== index) onIndexChange(n);
            }}
          />
          <button
            type="button"
            aria-label="Next test image"
            disabled={!valid || index >= max}
            onClick={() => go(index + 1)}
          >
            ›
          </button>
        </span>
        <label>
          Size{' '}
          <select value={size} onChange={(e) => setSize(e.target.value as Size)}>
            <option value="small">small</option>
            <option value="medium">medium</option>
            <option value="large">large</option>
          </select>
        </label>
      </div>
      {typed === null && (
        <p className="ev-error" id={`${id}-error`} data-testid="feature-index-error">
          {testSamples > 0
            ? `Enter a test image number from 0 to ${max.toLocaleString('en-US')}.`
            : 'This run has no test images.'}
        </p>
      )}

      <div className="ev-features-input">
        {image ? (
          <PixelImage
            width={image.width}
            height={image.height}
            channels={image.channels}
            pixels={image.pixels}
            displayWidth={displayWidth(image.width, image.height, 112)}
            label={`Test image ${index}`}
            data-testid="feature-input"
          />
        ) : (
          <span className={`ev-input-empty${input.loading ? ' loading' : ''}`} />
        )}
        <div>
          <p>
            Test image <strong>#{index.toLocaleString('en-US')}</strong>
          </p>
          {fresh?.data && (
            <p data-testid="feature-prediction">
              true <strong>{className(names, fresh.data.label)}</strong> · predicted{' '}
              <strong
                className={fresh.data.label === fresh.data.predicted ? 'ev-right' : 'ev-wrong'}
              >
                {className(names, fresh.data.predicted)}
              </strong>
            </p>
          )}
          {input.error && <p className="ev-error">{input.error}</p>}
        </div>
      </div>

      {loading && (
        <p className="ev-loading muted" role="status">
          Computing feature maps…
        </p>
      )}
      {fresh?.error && (
        <p className="ev-error" role="alert" data-testid="feature-error">
          {fresh.error}
        </p>
      )}
      {data && !fresh?.error && (
        <>
          <p className="muted" data-testid="feature-caption">
            <strong>{data.layer}</strong>: {data.channels} map{data.channels === 1 ? '' : 's'} of{' '}
            {data.height}×{data.width}
            {data.shown < data.channels
              ? `, showing the first ${data.shown} of ${data.channels} channels`
              : ''}
            . Each map runs from its own minimum (black) to its maximum (white).
          </p>
          {typeof maps === 'string' ? (
            <p className="ev-error">{maps}</p>
          ) : (
            <ul className={`ev-maps${loading ? ' stale' : ''}`} aria-busy={loading}>
              {maps?.map((m, c) => {
                const [lo, hi] = data.ranges[c] ?? [0, 0];
                return (
                  <li key={c} className="ev-map">
                    <PixelImage
                      width={data.width}
                      height={data.height}
                      channels={1}
                      pixels={m}
                      displayWidth={displayWidth(data.width, data.height, SIZES[size])}
                      title={`channel ${c}: min ${fmtRange(lo)}, max ${fmtRange(hi)}`}
                      label={`channel ${c}`}
                      data-testid="feature-map"
                    />
                    <span className="ev-map-caption">{c}</span>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
