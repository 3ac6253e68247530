import { describe, expect, it } from 'vitest';
import { createSignalRelay } from '../../src/agent/signals.js';

describe('signal relay', () => {
  it('given SIGTERM before the agent registered its handler, when the handler registers, then it is told at once', () => {
    const relay = createSignalRelay();
    relay.emit('SIGTERM');
    const seen: string[] = [];
    relay.onSignal((s) => seen.push(s));
    expect(seen).toEqual(['SIGTERM']);
  });

  it('given registered handlers, when signals arrive, then each handler gets each signal', () => {
    const relay = createSignalRelay();
    const a: string[] = [];
    const b: string[] = [];
    relay.onSignal((s) => a.push(s));
    relay.onSignal((s) => b.push(s));
    relay.emit('SIGINT');
    relay.emit('SIGTERM');
    expect(a).toEqual(['SIGINT', 'SIGTERM']);
    expect(b).toEqual(['SIGINT', 'SIGTERM']);
  });
});
