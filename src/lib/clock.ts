/**
 * Time and timers, injectable: components take a Clock so tests step a
 * manual one instead of waiting (the proxy's sync runner, the work queue).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock time, with Node's timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Wall-clock time whose pending timers never keep the process alive on their own (retries, delayed adds). */
export const backgroundClock: Clock = {
  ...realClock,
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
};
