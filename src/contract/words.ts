/** Wording shared by the agent and the launcher (pure, and small enough for the agent bundle). */

/** `1 slot`, `2 slots`, `0 children`: a count with its noun in the right number. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
