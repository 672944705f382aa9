// Coalesces redraw requests: at most one draw per `minInterval` ms, on an animation frame,
// always drawing after the last request. requestAnimationFrame doesn't run in a hidden tab (or
// a window that is never painted), so a timer draws instead when no frame comes in time.

export interface DrawScheduler {
  /** Asks for a draw. Requests before the draw happens are merged into it. */
  schedule(): void;
  /** Whether a draw is waiting. */
  readonly pending: boolean;
  /** Drops a waiting draw and stops the timers (on unmount). */
  cancel(): void;
}

export interface DrawSchedulerOptions {
  /** Least time between the start of two draws, in ms. */
  minInterval?: number;
  /** How long to wait for an animation frame before drawing anyway, in ms. */
  fallbackMs?: number;
  now?: () => number;
  /** requestAnimationFrame / cancelAnimationFrame; the globals by default, none in Node. */
  requestFrame?: ((cb: () => void) => number) | null;
  cancelFrame?: ((id: number) => void) | null;
}

export const DRAW_INTERVAL_MS = 120;
export const FRAME_FALLBACK_MS = 250;

export function createDrawScheduler(
  draw: () => void,
  options: DrawSchedulerOptions = {},
): DrawScheduler {
  const minInterval = options.minInterval ?? DRAW_INTERVAL_MS;
  const fallbackMs = options.fallbackMs ?? FRAME_FALLBACK_MS;
  const now = options.now ?? (() => performance.now());
  const requestFrame =
    options.requestFrame !== undefined
      ? options.requestFrame
      : typeof requestAnimationFrame === 'function'
        ? (cb: () => void) => requestAnimationFrame(cb)
        : null;
  const cancelFrame =
    options.cancelFrame !== undefined
      ? options.cancelFrame
      : typeof cancelAnimationFrame === 'function'
        ? (id: number) => cancelAnimationFrame(id)
        : null;

  let pending = false;
  let lastDraw = -Infinity;
  let waitTimer: ReturnType<typeof setTimeout> | null = null;
  let fallbackTimer: ReturnType<typeof setTimeout> | null = null;
  let frame: number | null = null;

  const clearTimers = () => {
    if (waitTimer !== null) clearTimeout(waitTimer);
    if (fallbackTimer !== null) clearTimeout(fallbackTimer);
    if (frame !== null && cancelFrame) cancelFrame(frame);
    waitTimer = fallbackTimer = frame = null;
  };

  const run = () => {
    clearTimers();
    if (!pending) return;
    pending = false; // before drawing, so that a request made while drawing is kept
    lastDraw = now();
    draw();
  };

  const awaitFrame = () => {
    waitTimer = null;
    if (requestFrame) {
      frame = requestFrame(run);
      fallbackTimer = setTimeout(run, fallbackMs);
    } else {
      run();
    }
  };

  return {
    schedule() {
      if (pending) return;
      pending = true;
      const wait = Math.max(0, lastDraw + minInterval - now());
      if (wait > 0 || !requestFrame) waitTimer = setTimeout(awaitFrame, wait);
      else awaitFrame();
    },
    get pending() {
      return pending;
    },
    cancel() {
      clearTimers();
      pending = false;
    },
  };
}
