// One run at a time of an async task that must not overlap itself: calls made while it runs share
// that run's result (or its failure); the next call after it settles starts a new run.

export function singleFlight<A extends unknown[], T>(task: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  let running: Promise<T> | null = null
  return (...args: A): Promise<T> => {
    running ??= task(...args).finally(() => {
      running = null
    })
    return running
  }
}
