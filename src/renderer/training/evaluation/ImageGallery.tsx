// A paged grid of test-image thumbnails with what the network predicted, fetched a page at a
// time. Clicking one selects it (for the feature maps).
import { useState } from 'react';
import type { RunInspector } from './types.ts';
import { PixelImage } from './PixelImage.tsx';
import { displayWidth } from './pixels.ts';
import { className, exampleNames, pageOf, pageText, percent, type Example } from './selection.ts';
import { useImages } from './use-images.ts';

export const PAGE_SIZE = 40;
const THUMB = 56;

export interface ImageGalleryProps {
  inspector: RunInspector;
  /** In the order to show them. Remount (key) to go back to the first page. */
  examples: readonly Example[];
  classNames: readonly string[];
  selectedIndex: number | null;
  onSelect(index: number): void;
  /** Prefix of the test ids: `<id>-item`, `<id>-prev`, `<id>-next`, `<id>-page`. */
  testId: string;
  /** What the list is, for screen readers. */
  label: string;
  pageSize?: number;
}

export function ImageGallery({
  inspector,
  examples,
  classNames,
  selectedIndex,
  onSelect,
  testId,
  label,
  pageSize = PAGE_SIZE,
}: ImageGalleryProps) {
  const [pageNo, setPageNo] = useState(0);
  const page = pageOf(examples, pageNo, pageSize);
  const { images, loading, error, retry } = useImages(
    inspector,
    page.items.map((e) => e.index),
  );

  return (
    <div className="ev-gallery">
      {page.pages > 1 && (
        <div className="ev-pager">
          <button
            type="button"
            data-testid={`${testId}-prev`}
            disabled={page.page === 0}
            onClick={() => setPageNo(page.page - 1)}
            aria-label="Previous page"
          >
            ‹ Prev
          </button>
          <span className="muted" data-testid={`${testId}-page`} aria-live="polite">
            {pageText(page)} · page {page.page + 1} of {page.pages}
          </span>
          <button
            type="button"
            data-testid={`${testId}-next`}
            disabled={page.page >= page.pages - 1}
            onClick={() => setPageNo(page.page + 1)}
            aria-label="Next page"
          >
            Next ›
          </button>
        </div>
      )}
      {loading && (
        <p className="ev-loading muted" role="status">
          Loading images…
        </p>
      )}
      {error && (
        <p className="ev-error" role="alert">
          {error}{' '}
          <button type="button" className="link" onClick={retry}>
            Try again
          </button>
        </p>
      )}
      <ul className="ev-thumbs" aria-label={label} aria-busy={loading}>
        {page.items.map((e) => {
          const image = images.get(e.index);
          const wrong = e.label !== e.predicted;
          const title =
            `Test image #${e.index}: ${className(classNames, e.label)}` +
            (wrong ? `, predicted ${className(classNames, e.predicted)}` : '') +
            ` (${percent(e.confidence, 1)} sure). Show its feature maps.`;
          return (
            <li key={e.index}>
              <button
                type="button"
                className={`ev-thumb${wrong ? ' wrong' : ''}`}
                data-testid={`${testId}-item`}
                data-index={e.index}
                aria-pressed={selectedIndex === e.index}
                title={title}
                onClick={() => onSelect(e.index)}
              >
                {image ? (
                  <PixelImage
                    width={image.width}
                    height={image.height}
                    channels={image.channels}
                    pixels={image.pixels}
                    displayWidth={displayWidth(image.width, image.height, THUMB)}
                  />
                ) : (
                  <span className={`ev-thumb-empty${loading ? ' loading' : ''}`} />
                )}
                <span className="ev-thumb-caption">
                  <span className="ev-thumb-names">{exampleNames(classNames, e)}</span>
                  <span className="ev-sr-only"> · </span>
                  <span>{percent(e.confidence)}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
