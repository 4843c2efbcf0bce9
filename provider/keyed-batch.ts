/**
 * Requests for values by key that arrive together (within a short window, or until a batch is
 * full) go out as one batch; each caller gets its key's value. Used for user lookups by login
 * ID (one search) and by user ID (one `users/load`).
 */

interface Waiter<V> {
  resolve: (value: V) => void;
  reject: (err: unknown) => void;
}

/** The batch's answer per key: a value, or an Error for that key alone. */
export type BatchAnswer<K, V> = Map<K, V | Error>;

/** A queue of keyed requests, flushed as one batch by `fetch`. */
export class KeyedBatch<K, V> {
  private pending = new Map<K, Waiter<V>[]>();
  private timer?: NodeJS.Timeout;

  /**
   * @param fetch answers a batch of distinct keys; a key it leaves out gets `missing`; a
   *   rejection rejects every caller of the batch
   * @param windowMs how long the first request waits for others (0: the same event-loop turn)
   * @param max the most keys one batch carries
   */
  constructor(
    private readonly fetch: (keys: K[]) => Promise<BatchAnswer<K, V>>,
    private readonly missing: V,
    private readonly windowMs: number,
    private readonly max: number,
  ) {}

  /** The value of `key`, fetched with whatever else is asked for meanwhile. */
  get(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiters = this.pending.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(key, waiters);
      if (this.pending.size >= this.max) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
    });
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    try {
      const answer = await this.fetch([...batch.keys()]);
      for (const [key, waiters] of batch) {
        const value = answer.has(key) ? (answer.get(key) as V | Error) : this.missing;
        for (const w of waiters) {
          if (value instanceof Error) w.reject(value);
          else w.resolve(value);
        }
      }
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }
}
