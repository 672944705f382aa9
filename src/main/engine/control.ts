export type ControlState = 'paused' | 'resumed' | 'stopping';

/** Pause / resume / stop for a run in progress; checked between batches. */
export class RunControl {
  /** Steps trained so far (the trainer keeps it current), so a status event says where. */
  step = 0;
  /**
   * Told when pause, resume or stop takes effect: the run sends it as a status event through
   * its own emit, so metrics.jsonl records it like every other event.
   */
  onStatus: ((state: ControlState, step: number) => void) | null = null;
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  get isPaused(): boolean {
    return this.paused;
  }
  get stopRequested(): boolean {
    return this.stopped;
  }
  pause(): boolean {
    if (this.paused || this.stopped) return false;
    this.paused = true;
    this.onStatus?.('paused', this.step);
    return true;
  }
  resume(): boolean {
    if (!this.paused) return false;
    this.paused = false;
    this.wake?.();
    this.onStatus?.('resumed', this.step);
    return true;
  }
  stop(): void {
    this.stopped = true;
    this.paused = false;
    this.wake?.();
    this.onStatus?.('stopping', this.step);
  }
  /** Resolves at once unless paused; then when resumed or stopped. */
  async waitIfPaused(): Promise<void> {
    while (this.paused) await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
  }
}
