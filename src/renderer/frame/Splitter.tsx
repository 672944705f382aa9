// A bar between two panels: drag it (or use the arrow keys when focused) to resize the panel it
// belongs to; a double-click folds that panel away or back when it can be folded.
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

export interface SplitterProps {
  /** 'vertical' bars sit between columns and resize widths; 'horizontal' ones resize heights. */
  orientation: 'vertical' | 'horizontal';
  /** The size now, in CSS pixels. */
  size: number;
  /** +1 when dragging right (or down) grows the panel, -1 when it shrinks it. */
  grows: 1 | -1;
  onResize: (size: number) => void;
  onToggle?: () => void;
  label: string;
  testId: string;
}

const KEY_STEP = 16;

export function Splitter(p: SplitterProps) {
  const start = useRef<{ at: number; size: number } | null>(null);
  const vertical = p.orientation === 'vertical';
  const coord = (e: PointerEvent) => (vertical ? e.clientX : e.clientY);

  const down = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    start.current = { at: coord(e), size: p.size };
  };
  const move = (e: PointerEvent<HTMLDivElement>) => {
    if (!start.current) return;
    p.onResize(start.current.size + p.grows * (coord(e) - start.current.at));
  };
  const up = () => {
    start.current = null;
  };
  const key = (e: KeyboardEvent) => {
    const back = vertical ? 'ArrowLeft' : 'ArrowUp';
    const forward = vertical ? 'ArrowRight' : 'ArrowDown';
    if (e.key !== back && e.key !== forward) return;
    e.preventDefault();
    p.onResize(p.size + p.grows * (e.key === forward ? KEY_STEP : -KEY_STEP));
  };

  return (
    <div
      className={`splitter ${p.orientation}`}
      role="separator"
      aria-orientation={p.orientation}
      aria-label={p.label}
      aria-valuenow={Math.round(p.size)}
      tabIndex={0}
      title={`Drag to resize${p.onToggle ? '; double-click to fold away' : ''}`}
      data-testid={p.testId}
      onPointerDown={down}
      onPointerMove={move}
      onPointerUp={up}
      onPointerCancel={up}
      onKeyDown={key}
      onDoubleClick={p.onToggle}
    />
  );
}
