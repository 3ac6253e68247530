/** One part of BENCHMARKS.md: a heading, the command that produced it, and its results as Markdown. */
export interface BenchSection {
  readonly title: string;
  readonly command: string;
  readonly markdown: string;
}
