/**
 * Work that runs beside the HTTP server in the `serve` process: started after listen, stopped (and
 * awaited) on shutdown. The CLI verbs do not start it.
 */
export interface BackgroundTask {
  name: string;
  start(): void;
  stop(): Promise<void>;
}

/**
 * A task that runs `fn` every `ms` milliseconds, never two runs at once; a failing run is reported to
 * `onError` and the schedule goes on.
 */
export function periodicTask(
  name: string,
  ms: number,
  fn: () => Promise<void>,
  onError: (err: unknown) => void = () => undefined,
): BackgroundTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) {
      return;
    }
    running = fn()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
  };
  return {
    name,
    start() {
      timer ??= setInterval(tick, ms);
      timer.unref();
    },
    async stop() {
      if (timer) {
        clearInterval(timer);
        timer = undefined;
      }
      await running;
    },
  };
}
