// Every layer kind in the registry, grouped by category: drag one onto the canvas,
// or double-click (Enter) to add it below the selected node.
import { useDeferredValue, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { LAYERS } from '../../shared/layers/registry.ts';
import type { AnyLayerSpec, LayerCategory } from '../../shared/layers/spec.ts';
import { addFromPalette } from './add-from-palette.ts';
import { PALETTE_MIME } from './palette-drag.ts';
import './palette.css';

/** Categories in palette order; a Record so that a new category must be given a title. */
const CATEGORY_TITLES: Record<LayerCategory, string> = {
  input: 'Input',
  core: 'Core',
  convolution: 'Convolution',
  pooling: 'Pooling',
  normalization: 'Normalization',
  activation: 'Activation',
  regularization: 'Regularization',
  merge: 'Merge',
  block: 'Blocks',
};

const CATEGORIES = Object.keys(CATEGORY_TITLES) as LayerCategory[];

/** Layers whose label, kind or description contains every word of the query. */
export function filterLayers(layers: readonly AnyLayerSpec[], query: string): AnyLayerSpec[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return layers.filter((l) => {
    const text = `${l.label} ${l.kind} ${l.description}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

function onDragStart(e: DragEvent, kind: string): void {
  e.dataTransfer.setData(PALETTE_MIME, kind);
  e.dataTransfer.setData('text/plain', kind);
  e.dataTransfer.effectAllowed = 'copy';
}

function onKeyDown(e: KeyboardEvent, kind: string): void {
  if (e.key !== 'Enter' && e.key !== ' ') return;
  e.preventDefault();
  addFromPalette(kind);
}

export function Palette({ onFold }: { onFold: () => void }) {
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const groups = useMemo(() => {
    const shown = filterLayers(LAYERS, deferred);
    return CATEGORIES.map((c) => ({ c, layers: shown.filter((l) => l.category === c) })).filter(
      (g) => g.layers.length > 0,
    );
  }, [deferred]);

  return (
    <nav className="nf-palette" data-testid="palette" aria-label="Layers">
      <div className="nf-palette-top">
        <input
          type="search"
          className="nf-palette-search"
          data-testid="palette-search"
          placeholder="Search layers"
          aria-label="Search layers"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button
          type="button"
          className="icon"
          data-testid="palette-fold"
          title="Fold the palette away (more room for the canvas)"
          aria-label="Fold the palette away"
          onClick={onFold}
        >
          ‹
        </button>
      </div>
      {groups.length === 0 && (
        <p className="nf-palette-empty">No layer matches “{deferred}”. Try another word.</p>
      )}
      {groups.map(({ c, layers }) => (
        <section key={c} className="nf-palette-group" data-testid={`palette-group-${c}`}>
          <h3>{CATEGORY_TITLES[c]}</h3>
          <ul>
            {layers.map((l) => (
              <li
                key={l.kind}
                className="nf-palette-item"
                data-testid={`palette-item-${l.kind}`}
                title={`${l.description}\nDrag onto the canvas, or double-click to add.`}
                draggable
                tabIndex={0}
                role="button"
                onDragStart={(e) => onDragStart(e, l.kind)}
                onDoubleClick={() => addFromPalette(l.kind)}
                onKeyDown={(e) => onKeyDown(e, l.kind)}
              >
                {l.label}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
