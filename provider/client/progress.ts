/**
 * Progress lines while a client waits on the service: a call that has been waiting longer than
 * a few seconds (pacing excluded: queueing for the client-side budget, a 429's `Retry-After`)
 * prints one line, `descope: still waiting for <url> (N s) …`, then one more every
 * `everyMs` while it keeps waiting. One reporter per client, so a stack of a hundred waiting
 * calls prints one line, not a hundred.
 */

/** When and where progress lines go; tests shrink the times and capture the lines. */
export interface ProgressOptions {
  /** How long a call waits (pacing excluded) before the first line, in ms. @default 5000 */
  afterMs: number;
  /** The time between two lines while the wait goes on, in ms. @default 30000 */
  everyMs: number;
  /** Writes one line (without its newline). @default a line on stderr */
  write: (line: string) => void;
}

/** The default {@link ProgressOptions}: lines go to stderr. */
export function defaultProgressOptions(): ProgressOptions {
  return { afterMs: 5_000, everyMs: 30_000, write: (line) => void process.stderr.write(`${line}\n`) };
}

/** Something that waits and knows for how long, e.g. an `OperationDeadline`. */
export interface Wait {
  /** Time waited so far, in ms. */
  elapsedMs(): number;
}

/** Prints progress lines for the waits of one client. */
export class WaitProgress {
  private readonly waits = new Set<Wait>();
  private timer: NodeJS.Timeout | undefined;
  private nextLineAtMs: number;

  constructor(
    private readonly url: string,
    private readonly options: ProgressOptions,
  ) {
    this.nextLineAtMs = options.afterMs;
  }

  /** Starts watching `wait`; returns the function that stops watching it. */
  track(wait: Wait): () => void {
    this.waits.add(wait);
    if (!this.timer) {
      const tickMs = Math.max(20, Math.min(1_000, this.options.afterMs / 2));
      this.timer = setInterval(() => this.tick(), tickMs);
      this.timer.unref(); // never keeps a process alive
    }
    return () => {
      this.waits.delete(wait);
      if (this.waits.size > 0 || !this.timer) return;
      clearInterval(this.timer);
      this.timer = undefined;
      this.nextLineAtMs = this.options.afterMs;
    };
  }

  private tick(): void {
    let longest = 0;
    for (const wait of this.waits) longest = Math.max(longest, wait.elapsedMs());
    if (longest < this.nextLineAtMs) return;
    this.options.write(`descope: still waiting for ${this.url} (${Math.floor(longest / 1000)} s) …`);
    this.nextLineAtMs = longest + this.options.everyMs;
  }
}
