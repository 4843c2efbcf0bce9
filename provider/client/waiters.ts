/**
 * The queue of calls waiting for a budget token, shared by the in-process limiter and the
 * cross-process one: FIFO, each waiter leaving the queue when its signal aborts.
 */

/** Gives a token back; the token's window starts when it is called. */
export type Release = () => void;

/** A call waiting for a token. */
export interface Waiter {
  resolve(release: Release): void;
  reject(err: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * Queues a waiter on `waiters` and calls `kick` so the owner can hand out tokens; rejects with
 * `signal.reason` (and leaves the queue) if `signal` aborts first.
 */
export function enqueueWaiter(waiters: Waiter[], kick: () => void, signal?: AbortSignal): Promise<Release> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Release>((resolve, reject) => {
    const waiter: Waiter = { resolve, reject, signal };
    if (signal) {
      waiter.onAbort = () => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    waiters.push(waiter);
    kick();
  });
}
