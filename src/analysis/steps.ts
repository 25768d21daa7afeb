/**
 * Work done in steps (a generator that yields between steps): run to its end at once, or letting the event
 * loop turn at each step (the native tree-sitter binding frees released trees only when the loop turns).
 */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

export async function runStepsAsync<T>(steps: Generator<void, T>): Promise<T> {
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value;
    await new Promise<void>((done) => setImmediate(done));
  }
}
