/**
 * What has started, to be stopped in reverse order: start-up pushes a stopper after each part it starts,
 * so a failure at any later step stops exactly what already runs (scan workers, queue workers, a private
 * Redis, listening sockets) and the process can exit instead of hanging on them. Node 20 has no
 * `AsyncDisposableStack`; this is the part of it the gateway needs.
 */
export class CleanupStack {
  readonly #stoppers: (() => Promise<void> | void)[] = [];

  /** Runs `stop` when the stack unwinds, before everything deferred earlier. */
  defer(stop: () => Promise<void> | void): void {
    this.#stoppers.push(stop);
  }

  /**
   * Stops everything, newest first, once. A stopper that fails does not keep the others from running;
   * the first failure is thrown afterwards.
   */
  async unwind(): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (let stop = this.#stoppers.pop(); stop; stop = this.#stoppers.pop()) {
      try {
        await stop();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  /** Runs `start`; if it throws, unwinds what had started and rethrows the start's error. */
  async guard<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (error) {
      await this.unwind().catch(() => undefined);
      throw error;
    }
  }
}
