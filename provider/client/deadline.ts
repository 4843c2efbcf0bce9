/**
 * The per-operation deadline: a time budget for the work of one operation (attempts, backoff
 * sleeps, the handshake) that can be paused while the operation only queues for the
 * client-side request budget. Queueing is self-imposed pacing, not slowness: a large stack
 * waits its turn instead of failing with a timeout.
 */
export class OperationDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private runningSince = 0;
  private usedMs = 0;

  /** Starts running at once. */
  constructor(readonly budgetMs: number) {
    this.resume();
  }

  /** Aborts when the budget is used up. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Time counted so far, in ms. */
  elapsedMs(): number {
    return this.usedMs + (this.timer ? performance.now() - this.runningSince : 0);
  }

  /** Stops counting (no-op when paused). */
  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.usedMs += performance.now() - this.runningSince;
  }

  /** Counts again (no-op when running or aborted). */
  resume(): void {
    if (this.timer || this.controller.signal.aborted) return;
    this.runningSince = performance.now();
    this.timer = setTimeout(() => this.controller.abort(), Math.max(0, this.budgetMs - this.usedMs));
  }

  /** Stops the timer for good. */
  clear(): void {
    this.pause();
  }
}
