/**
 * Per-user serialization: every read-modify-write of one user (by userId, however the program
 * names the user) runs after the earlier ones in this process have settled.
 */

/** A lock per userId, with a generation counter that says whether a user changed since a load. */
export class UserLocks {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly generations = new Map<string, number>();

  /**
   * Runs `fn` after every earlier call for `userId` has settled, so two resources of one user
   * never interleave their read-modify-write. The user's generation moves on when `fn` ends.
   */
  async run<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.chains.get(userId) ?? Promise.resolve();
    const mine = before.then(fn, fn);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(userId, settled);
    try {
      return await mine;
    } finally {
      this.generations.set(userId, this.generation(userId) + 1);
      if (this.chains.get(userId) === settled) this.chains.delete(userId);
    }
  }

  /** How many locked operations on `userId` have ended in this process. */
  generation(userId: string): number {
    return this.generations.get(userId) ?? 0;
  }
}
