/**
 * `docker push` output turned into progress. Docker writes one line per layer state change when
 * its output is not a terminal (as here: mnbatch reads it through a pipe): `<12 hex>: Preparing`,
 * `Waiting`, `Pushed`, `Layer already exists`, `Mounted from <repository>`, `Retrying in N
 * seconds`, then `<tag>: digest: sha256:… size: N`. Byte counts appear only on a terminal, so
 * progress is counted in layers. The parsing and the text are pure; `pushDisplay` only writes.
 */
import { REDRAW_LINE } from '../ui/output.js';

/** One layer line of `docker push`. */
export interface LayerLine {
  /** The layer's short id (first 12 hex digits). */
  readonly layer: string;
  readonly status: string;
}

const LAYER_LINE = /^([0-9a-f]{12}): (.+)$/;

/** The layer and its new status, or undefined for any other line. */
export function parseLayerLine(line: string): LayerLine | undefined {
  const m = LAYER_LINE.exec(line.trim());
  return m?.[1] && m[2] ? { layer: m[1], status: m[2].trim() } : undefined;
}

/** How a finished layer got there; undefined while it is not finished. */
export function layerOutcome(status: string): 'pushed' | 'already there' | 'mounted' | undefined {
  if (status === 'Pushed') return 'pushed';
  if (status === 'Layer already exists') return 'already there';
  if (status.startsWith('Mounted from ')) return 'mounted';
  return undefined;
}

/** The layers seen so far, in the order Docker first named them, with their last status. */
export type PushLayers = ReadonlyMap<string, string>;

/** `layers` after `line`, and whether it changed a layer's status (a repeated status does not). */
export function applyLine(layers: PushLayers, line: string): { layers: PushLayers; changed: boolean } {
  const parsed = parseLayerLine(line);
  if (!parsed || layers.get(parsed.layer) === parsed.status) return { layers, changed: false };
  return { layers: new Map(layers).set(parsed.layer, parsed.status), changed: true };
}

/** `3/4 layers done (2 pushed, 1 already there)`: the one-line progress of a push. */
export function progressText(layers: PushLayers): string {
  const counts = new Map<string, number>();
  for (const status of layers.values()) {
    const outcome = layerOutcome(status);
    if (outcome) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  const done = [...counts.values()].reduce((a, b) => a + b, 0);
  const kinds = (['pushed', 'already there', 'mounted'] as const)
    .filter((k) => counts.has(k))
    .map((k) => `${counts.get(k)} ${k}`);
  const retrying = [...layers.values()].some((s) => s.startsWith('Retrying'));
  return `${done}/${layers.size} layers done${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}${retrying ? ', retrying' : ''}`;
}

/** Where a push's progress goes: a terminal gets one line redrawn in place, anything else plain lines. */
export interface PushSink {
  readonly tty: boolean;
  write(line: string): void;
}

/** Feeds `docker push` output lines to `sink`; `end()` after the last one. */
export function pushDisplay(sink: PushSink, ref: string): { line(text: string): void; end(): void } {
  let layers: PushLayers = new Map();
  let shown = '';
  return {
    line(text) {
      if (text.trim() === '') return;
      const next = applyLine(layers, text);
      layers = next.layers;
      if (!sink.tty) {
        // One line per change of a layer, and Docker's other lines as they are.
        if (next.changed || !parseLayerLine(text)) sink.write(`  ${text.trim()}`);
        return;
      }
      if (!next.changed && parseLayerLine(text)) return;
      const status = `pushing ${ref}: ${progressText(layers)}`;
      if (!parseLayerLine(text)) {
        // Docker's own line (the repository, the digest, an error) stays, above the progress line.
        sink.write(`${shown ? REDRAW_LINE : ''}  ${text.trim()}`);
        if (shown) sink.write(shown);
        return;
      }
      if (status === shown) return;
      sink.write(`${shown ? REDRAW_LINE : ''}${status}`);
      shown = status;
    },
    end() {
      shown = '';
    },
  };
}
