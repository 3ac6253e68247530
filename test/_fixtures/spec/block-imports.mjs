// Loaded with `node --import` before anything else: makes every import of a blocked package
// fail loudly, so a test can prove that a command never reaches that code.
// Blocked: @aws-sdk/* always, plus the comma-separated names in MNBATCH_TEST_BLOCK.
import { register } from 'node:module';

const hook = `
let blocked = [];
export function initialize(data) { blocked = data.blocked; }
export async function resolve(specifier, context, next) {
  const hit = blocked.find((b) => specifier === b || specifier.startsWith(b.endsWith('/') ? b : b + '/'));
  if (hit) throw new Error('BLOCKED_IMPORT ' + specifier + ' from ' + context.parentURL);
  return next(specifier, context);
}`;
const extra = (process.env.MNBATCH_TEST_BLOCK ?? '').split(',').filter(Boolean);
register(`data:text/javascript,${encodeURIComponent(hook)}`, {
  data: { blocked: ['@aws-sdk/', ...extra] },
});
