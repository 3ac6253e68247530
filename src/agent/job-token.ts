/**
 * The rendezvous token of one Batch job attempt, derived inside the job from the stack's key, so
 * that no request or description of the job carries it. Pure.
 */
import { createHmac } from 'node:crypto';

/**
 * HMAC-SHA256(key, "<job id>\n<attempt>") in hex: every node of an attempt derives the same
 * token (the job id is given without Batch's `#<node index>`), another job or attempt another one.
 */
export function deriveJobToken(key: string, jobId: string, attempt: number): string {
  return createHmac('sha256', key).update(`${jobId}\n${attempt}`).digest('hex');
}
