/**
 * Waits until everything written to stdout and stderr has been handed to the operating system. Nx exits as soon as a
 * generator returns; output still queued for a socket (what a Node parent process, a CI runner or a script reads a
 * child's output through) is then lost, and a long summary was cut short at a different line on every run.
 */
export async function flushOutput(): Promise<void> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => {
          if (stream.destroyed || !stream.writable) return resolve();
          // An empty write's callback runs once every write queued before it is done (or has failed).
          stream.write('', () => resolve());
        }),
    ),
  );
}

/** The generator, with its output flushed before it returns to Nx, whether it succeeds or fails. */
export function flushingOutput<A extends unknown[], R>(generator: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await generator(...args);
    } finally {
      await flushOutput();
    }
  };
}
