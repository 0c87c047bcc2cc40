/**
 * Group commit: writes submitted before the next turn of the event loop are
 * committed together by one call of `commit` (one transaction, one fsync),
 * and each one's promise settles only after that call returns. `commit`
 * applies the items in submission order and gives one outcome per item, so a
 * batch means exactly what running the writes one by one would.
 */

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Queued<In, Out> {
  item: In;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

export class GroupCommit<In, Out> {
  #queue: Queued<In, Out>[] = [];
  #scheduled = false;

  /**
   * @param commit applies a batch atomically; if it throws, nothing was
   *   applied and every item of the batch fails with that error.
   * @param maxBatch bounds one transaction, so one commit never blocks the
   *   event loop for long; the rest goes in the next turn.
   */
  constructor(
    private readonly commit: (items: In[]) => Outcome<Out>[],
    private readonly maxBatch = 2000,
  ) {}

  /** Number of writes waiting for a commit. */
  get pending(): number {
    return this.#queue.length;
  }

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Commits everything queued, now (e.g. before closing). */
  flush(): void {
    while (this.#queue.length > 0) this.#commitNext();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate, not a microtask: writes arriving from several sockets in
    // the same poll phase land in one batch.
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#queue.length === 0) return;
      this.#commitNext();
      if (this.#queue.length > 0) this.#schedule();
    });
  }

  #commitNext(): void {
    const batch = this.#queue.splice(0, this.maxBatch);
    let outcomes: Outcome<Out>[];
    try {
      outcomes = this.commit(batch.map((q) => q.item));
    } catch (error) {
      for (const q of batch) q.reject(error);
      return;
    }
    batch.forEach((q, i) => {
      const o = outcomes[i]!;
      if (o.ok) q.resolve(o.value);
      else q.reject(o.error);
    });
  }
}
