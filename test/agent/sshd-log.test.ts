import { describe, expect, it } from 'vitest';
import { sshdLineLevel } from '../../src/agent/sshd.js';

describe('sshd log lines', () => {
  it('given the lines every mpirun connection makes, when classified, then they are debug only', () => {
    for (const line of [
      'Server listening on 10.0.0.2 port 2222.',
      'Accepted publickey for root from 10.0.0.1 port 40684 ssh2: ED25519 SHA256:abc',
      'Received disconnect from 10.0.0.1 port 40684:11: disconnected by user',
      'Disconnected from user root 10.0.0.1 port 40684',
      'Connection closed by 10.0.0.1 port 40684',
      'Received signal 15; terminating.',
    ]) {
      expect(sshdLineLevel(line), line).toBe('debug');
    }
  });

  it('given refusals and errors, when classified, then they stay visible at info', () => {
    for (const line of [
      'Authentication refused: bad ownership or modes for directory /tmp',
      'Failed publickey for root from 10.0.0.1 port 5 ssh2: ED25519 SHA256:abc',
      'error: Bind to port 2222 on 10.0.0.2 failed: Address already in use.',
      'Invalid user admin from 10.0.0.9 port 4242',
      'Connection closed by authenticating user root 10.0.0.1 port 5 [preauth]',
    ]) {
      expect(sshdLineLevel(line), line).toBe('info');
    }
  });
});
