/**
 * The progress of `docker push`, from output captured on this project's machine (Docker 20.10
 * engine, CLI 28, pushing to Debian's docker-registry; the port made 5000): a first push whose
 * base layer is mounted from another repository, a push of layers all already there, and a push
 * whose layers are all mounted.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  applyLine,
  type PushLayers,
  parseLayerLine,
  progressText,
  pushDisplay,
} from '../../src/image/push-progress.js';

function captured(name: string): string[] {
  return readFileSync(
    fileURLToPath(new URL(`../_fixtures/docker-push/push-${name}.txt`, import.meta.url)),
    'utf8',
  )
    .trimEnd()
    .split('\n');
}

function layersAfter(lines: readonly string[]): PushLayers {
  return lines.reduce<PushLayers>((layers, line) => applyLine(layers, line).layers, new Map());
}

const REF = '127.0.0.1:5000/mnbatch/hello-mpi:1';
const REDRAW = '\x1b[1A\x1b[2K';

describe('parsing docker push', () => {
  it('takes a layer line apart and leaves every other line alone', () => {
    expect(parseLayerLine('5d86b0b89c90: Mounted from mnbatch/base')).toEqual({
      layer: '5d86b0b89c90',
      status: 'Mounted from mnbatch/base',
    });
    expect(
      parseLayerLine('The push refers to repository [127.0.0.1:5000/mnbatch/hello-mpi]'),
    ).toBeUndefined();
    expect(parseLayerLine(`1: digest: sha256:${'2d'.repeat(32)} size: 1162`)).toBeUndefined();
  });

  it('counts finished layers by how they got there', () => {
    expect(progressText(layersAfter(captured('first')))).toBe('4/4 layers done (3 pushed, 1 mounted)');
    expect(progressText(layersAfter(captured('again')))).toBe('4/4 layers done (4 already there)');
    expect(progressText(layersAfter(captured('mounted')))).toBe('4/4 layers done (4 mounted)');
    expect(progressText(layersAfter(captured('first').slice(0, 6)))).toBe('1/4 layers done (1 mounted)');
    expect(
      progressText(layersAfter(['5d86b0b89c90: Preparing', '5d86b0b89c90: Retrying in 5 seconds'])),
    ).toBe('0/1 layers done, retrying');
  });

  it('a repeated status is no change', () => {
    const layers = layersAfter(['baa82e78831f: Preparing']);
    expect(applyLine(layers, 'baa82e78831f: Preparing').changed).toBe(false);
    expect(applyLine(layers, 'baa82e78831f: Pushed').changed).toBe(true);
  });
});

describe('pushDisplay', () => {
  function show(tty: boolean, lines: readonly string[]): string[] {
    const written: string[] = [];
    const display = pushDisplay({ tty, write: (l) => written.push(l) }, REF);
    for (const line of lines) display.line(line);
    display.end();
    return written;
  }

  it('not a terminal: one plain line per layer change and Docker’s own lines, nothing redrawn', () => {
    const lines = captured('first');
    const written = show(false, [...lines, '5d86b0b89c90: Mounted from mnbatch/base', '']);
    expect(written).toEqual(lines.map((l) => `  ${l}`));
    expect(written.join('')).not.toContain('\x1b');
  });

  it('a terminal: one progress line redrawn in place, Docker’s own lines kept above it', () => {
    const written = show(true, captured('first'));
    expect(written[0]).toBe('  The push refers to repository [127.0.0.1:5000/mnbatch/hello-mpi]');
    expect(written[1]).toBe(`pushing ${REF}: 0/1 layers done`);
    expect(written.slice(2, 6)).toEqual([
      `${REDRAW}pushing ${REF}: 0/2 layers done`,
      `${REDRAW}pushing ${REF}: 0/3 layers done`,
      `${REDRAW}pushing ${REF}: 0/4 layers done`,
      `${REDRAW}pushing ${REF}: 1/4 layers done (1 mounted)`,
    ]);
    expect(written.slice(-3)).toEqual([
      `${REDRAW}pushing ${REF}: 4/4 layers done (3 pushed, 1 mounted)`,
      `${REDRAW}  1: digest: sha256:2d68febfef39b3cf8e8e620e968a8066681efd38bb44d34a4edc4b027b0fed86 size: 1162`,
      `pushing ${REF}: 4/4 layers done (3 pushed, 1 mounted)`,
    ]);
  });
});
