/**
 * The per-operation deadline: a time budget for the work of one operation (attempts, backoff
 * sleeps, the handshake) that can be paused while the operation only waits on pacing: queueing
 * for the client-side request budget, or sleeping the `Retry-After` a 429 asked for. Pacing is
 * not slowness: a large stack waits its turn instead of failing with a timeout.
 */

/** The longest delay `setTimeout` takes as is (about 24.8 days); longer budgets re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
    this.arm();
  }

  /** Stops the timer for good. */
  clear(): void {
    this.pause();
  }

  private arm(): void {
    const left = Math.max(0, this.budgetMs - this.usedMs);
    const final = left <= MAX_TIMER_MS;
    this.timer = setTimeout(
      () => {
        if (final) {
          this.controller.abort();
          return;
        }
        const now = performance.now();
        this.usedMs += now - this.runningSince;
        this.runningSince = now;
        this.arm();
      },
      final ? left : MAX_TIMER_MS,
    );
  }
}
