/**
 * Everything a benchmark leaves behind (child processes, temporary directories, databases) is
 * registered here as soon as it exists, so that an error, Ctrl-C or the overall timeout still
 * removes it. Undo steps run newest first: a server stops before its database is dropped.
 */
export class Cleanup {
  readonly #steps: { name: string; undo: () => Promise<void> | void }[] = [];
  #running: Promise<void> | undefined;

  /** Registers an undo step; the returned function runs it now (once) and forgets it. */
  add(name: string, undo: () => Promise<void> | void): () => Promise<void> {
    const step = { name, undo };
    this.#steps.push(step);
    return async () => {
      const index = this.#steps.indexOf(step);
      if (index === -1) return;
      this.#steps.splice(index, 1);
      await step.undo();
    };
  }

  /** Runs every remaining step; a failing step is reported and does not stop the others. */
  runAll(): Promise<void> {
    this.#running ??= (async () => {
      while (this.#steps.length > 0) {
        const step = this.#steps.pop()!;
        try {
          await step.undo();
        } catch (error) {
          process.stderr.write(`  cleanup: ${step.name} failed: ${(error as Error).message}\n`);
        }
      }
      this.#running = undefined;
    })();
    return this.#running;
  }
}
