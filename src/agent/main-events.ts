/** What happens to the main node, queued and awaited one event at a time by its flow. */

/** One thing that happened: bring-up done, deadline, signal, the command's end, a child's end, loss or failed setup. */
export type Outcome =
  | { readonly kind: 'complete' }
  | { readonly kind: 'deadline' }
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'lost'; readonly index: number; readonly reason: string }
  | { readonly kind: 'done'; readonly index: number; readonly code: number }
  /** A child said it cannot take part (its SSH setup failed) during bring-up. */
  | { readonly kind: 'failed'; readonly index: number; readonly code: number };

/** A queue of things that happened, awaited one at a time by the main flow. */
export class Events {
  private readonly queue: Outcome[] = [];
  private wake: (() => void) | undefined;
  push(o: Outcome): void {
    this.queue.push(o);
    this.wake?.();
  }
  async next(): Promise<Outcome> {
    while (this.queue.length === 0) await new Promise<void>((r) => (this.wake = r));
    return this.queue.shift()!;
  }
}
