/**
 * One table of the limits a job must respect, whoever enforces them: AWS Batch (its API takes
 * 32-bit integers), Docker, and the agent. `validate` checks every one of them, so a job that
 * validates does not fail later for a reason written in its file; the agent reads its own
 * bounds from here too, so the two cannot drift apart.
 */

/** Largest value of the Integer fields of Batch's API (attemptDurationSeconds, sharedMemorySize, ulimits…). */
export const INT32_MAX = 2_147_483_647;

export const LIMITS = {
  batch: {
    minNodes: 2,
    maxNodes: 1000,
    maxNodeRanges: 5,
    minTimeoutSeconds: 60,
    /** attemptDurationSeconds, sizes in MiB, ulimits, vCPUs: Batch's Integer. */
    maxInteger: INT32_MAX,
  },
  agent: {
    /** MNBATCH_RENDEZVOUS_TIMEOUT: 1 s to 7 days. */
    minRendezvousSeconds: 1,
    maxRendezvousSeconds: 7 * 24 * 3600,
    maxSlots: 1_000_000,
    maxGpus: 1024,
  },
  docker: {
    /** `--ulimit name=soft:hard` is refused by Docker when soft > hard. */
    ulimitSoftAtMostHard: true,
  },
} as const;
