import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDrawScheduler } from './throttle.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const now = () => Date.now();

describe('createDrawScheduler', () => {
  it('merges requests into one draw and spaces draws by the interval', () => {
    const draw = vi.fn();
    const s = createDrawScheduler(draw, { minInterval: 100, now, requestFrame: null });
    s.schedule();
    s.schedule();
    s.schedule();
    expect(draw).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(draw).toHaveBeenCalledTimes(1);
    s.schedule();
    s.schedule();
    vi.advanceTimersByTime(99);
    expect(draw).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(draw).toHaveBeenCalledTimes(2); // the last request is always drawn
    expect(s.pending).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(draw).toHaveBeenCalledTimes(2);
  });

  it('draws on the animation frame and not again on the fallback timer', () => {
    const draw = vi.fn();
    const frames: (() => void)[] = [];
    const s = createDrawScheduler(draw, {
      minInterval: 100,
      fallbackMs: 250,
      now,
      requestFrame: (cb) => frames.push(cb),
      cancelFrame: () => {},
    });
    s.schedule();
    expect(frames).toHaveLength(1);
    frames[0]!();
    expect(draw).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(draw).toHaveBeenCalledTimes(1);
  });

  it('draws on a timer when no animation frame comes (hidden tab)', () => {
    const draw = vi.fn();
    const cancelFrame = vi.fn();
    const s = createDrawScheduler(draw, {
      minInterval: 100,
      fallbackMs: 250,
      now,
      requestFrame: () => 7,
      cancelFrame,
    });
    s.schedule();
    vi.advanceTimersByTime(249);
    expect(draw).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(draw).toHaveBeenCalledTimes(1);
    expect(cancelFrame).toHaveBeenCalledWith(7);
  });

  it('keeps a request made while drawing', () => {
    let s: ReturnType<typeof createDrawScheduler> | null = null;
    let calls = 0;
    s = createDrawScheduler(
      () => {
        calls++;
        if (calls === 1) s!.schedule();
      },
      { minInterval: 50, now, requestFrame: null },
    );
    s.schedule();
    vi.advanceTimersByTime(0);
    expect(calls).toBe(1);
    expect(s.pending).toBe(true);
    vi.advanceTimersByTime(50);
    expect(calls).toBe(2);
  });

  it('draws nothing after cancel', () => {
    const draw = vi.fn();
    const s = createDrawScheduler(draw, { minInterval: 100, now, requestFrame: null });
    s.schedule();
    s.cancel();
    vi.advanceTimersByTime(1000);
    expect(draw).not.toHaveBeenCalled();
    expect(s.pending).toBe(false);
  });
});
