/** Pause / resume / stop for a run in progress; checked between batches. */
export class RunControl {
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
    return true;
  }
  resume(): boolean {
    if (!this.paused) return false;
    this.paused = false;
    this.wake?.();
    return true;
  }
  stop(): void {
    this.stopped = true;
    this.paused = false;
    this.wake?.();
  }
  /** Resolves at once unless paused; then when resumed or stopped. */
  async waitIfPaused(): Promise<void> {
    while (this.paused) await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
  }
}
