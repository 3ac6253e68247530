/** Relays SIGTERM/SIGINT to the handlers the agent registers as it goes, without losing early ones. */

/** Signals in, handlers out. */
export interface SignalRelay {
  /** A signal arrived. */
  emit(signal: NodeJS.Signals): void;
  /** Registers a handler; it is told at once of a signal that came before it (Batch may stop a node at any moment). */
  onSignal(handler: (signal: NodeJS.Signals) => void): void;
}

/** A relay that remembers the first signal, so that one arriving before any handler is not swallowed. */
export function createSignalRelay(): SignalRelay {
  const handlers: ((signal: NodeJS.Signals) => void)[] = [];
  let first: NodeJS.Signals | undefined;
  return {
    emit(signal) {
      first ??= signal;
      for (const h of handlers) h(signal);
    },
    onSignal(handler) {
      handlers.push(handler);
      if (first !== undefined) handler(first);
    },
  };
}
