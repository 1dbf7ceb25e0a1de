type Cleanup = () => Promise<void> | void;

const pending = new Set<Cleanup>();

/**
 * Registers work that must happen even when the bench is interrupted (children to stop, folders
 * to remove). Each benchmark still cleans up in its own `finally`; this registry covers Ctrl-C,
 * where the benchmark's promise is abandoned. Returns a function that unregisters it.
 */
export const onCleanup = (cleanup: Cleanup): (() => void) => {
  pending.add(cleanup);
  return () => {
    pending.delete(cleanup);
  };
};

let running: Promise<void> | undefined;
let interrupted = false;

/** Runs the registered cleanups, newest first, each once; a second caller waits for the run in progress. */
export const runCleanups = (): Promise<void> => {
  running ??= (async () => {
    while (pending.size > 0) {
      const cleanups = [...pending].reverse();
      pending.clear();
      for (const cleanup of cleanups) {
        try {
          await cleanup();
        } catch (error) {
          console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  })().finally(() => {
    running = undefined;
  });
  return running;
};

/** True once SIGINT or SIGTERM arrived: the run stops, cleans up and exits 130 without writing results. */
export const isInterrupted = (): boolean => interrupted;

export const exitOnSignals = (): void => {
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      console.error(`\n${signal} again: exiting without finishing the cleanup`);
      process.exit(130);
    }
    interrupted = true;
    console.error(`\n${signal}: stopping children and removing temporary folders…`);
    const forceExit = setTimeout(() => process.exit(130), 30_000);
    forceExit.unref();
    void runCleanups().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
};
