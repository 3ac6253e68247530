import { describe, expect, it } from 'vitest';
import { setInfraAmi } from '../../src/ami/write-infra.js';

const NEW = 'ami-0bbbbbbbbbbbbbbb1';

/** The lines of `after` that differ from `before`, as [removed, added] (a line diff for one-line edits). */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
}

/** A hand-written infra.yaml with everything a round trip through a YAML printer would change. */
const ODD = [
  '%YAML 1.2',
  '---',
  '# CFD cluster — edit with care',
  '',
  'stack:   "cfd"        # double-quoted, extra spaces',
  "vpcId: 'vpc-0123456789abcdef0'",
  'subnetId: subnet-0123456789abcdef0',
  '',
  '',
  'instanceTypes: [c5n.18xlarge,c5n.metal]   # flow list without spaces',
  'maxVcpus: 0x90            # hex',
  'tags: {team: cfd, "cost center": 42}',
  'ami:    ami-0aaaaaaaaaaaaaaa1      # baked 2026-01-01',
  'efs:',
  '    create: true          # four-space indent',
  'userData: |',
  '  #!/bin/bash',
  '  echo hi',
  '',
  '# trailing comment',
  '',
].join('\n');

describe('setInfraAmi', () => {
  it('changes only the ami value of a file full of comments and odd formatting', () => {
    const out = setInfraAmi(ODD, NEW, false);

    expect(changedLines(ODD, out)).toEqual({
      removed: ['ami:    ami-0aaaaaaaaaaaaaaa1      # baked 2026-01-01'],
      added: [`ami:    ${NEW}      # baked 2026-01-01`],
    });
    expect(out.length).toBe(ODD.length);
  });

  it('adds one line when ami is absent, and nothing else changes', () => {
    const without = ODD.replace(/^ami:.*\n/m, '');

    const out = setInfraAmi(without, NEW, false);

    expect(out).toBe(`${without}ami: ${NEW}\n`);
    expect(changedLines(without, out)).toEqual({ removed: [], added: [`ami: ${NEW}`] });
  });

  it('sets hyperthreading offViaAmi in place when nr_cpus was baked', () => {
    const text = ODD.replace('efs:\n', 'hyperthreading: "on"   # HT\nefs:\n');

    const out = setInfraAmi(text, NEW, true);

    expect(changedLines(text, out)).toEqual({
      removed: ['ami:    ami-0aaaaaaaaaaaaaaa1      # baked 2026-01-01', 'hyperthreading: "on"   # HT'],
      added: [`ami:    ${NEW}      # baked 2026-01-01`, 'hyperthreading: "offViaAmi"   # HT'],
    });
  });

  it('keeps the quoting of the old value', () => {
    expect(setInfraAmi("stack: a\nami: 'default'\n", NEW, false)).toBe(`stack: a\nami: '${NEW}'\n`);
    expect(setInfraAmi('stack: a\nami: "default"\n', NEW, false)).toBe(`stack: a\nami: "${NEW}"\n`);
  });

  it('fills an empty ami: and replaces ami: null', () => {
    expect(setInfraAmi('ami:\nstack: a\n', NEW, false)).toBe(`ami: ${NEW}\nstack: a\n`);
    expect(setInfraAmi('ami: # later\nstack: a\n', NEW, false)).toBe(`ami: ${NEW} # later\nstack: a\n`);
    expect(setInfraAmi('ami: ~\nstack: a\n', NEW, false)).toBe(`ami: ${NEW}\nstack: a\n`);
  });

  it('keeps CRLF line ends, a missing final newline and an indented mapping', () => {
    expect(setInfraAmi('stack: a\r\nami: default\r\n', NEW, false)).toBe(`stack: a\r\nami: ${NEW}\r\n`);
    expect(setInfraAmi('stack: a\r\n', NEW, false)).toBe(`stack: a\r\nami: ${NEW}\r\n`);
    expect(setInfraAmi('stack: a', NEW, false)).toBe(`stack: a\nami: ${NEW}\n`);
    expect(setInfraAmi('  stack: a\n  efs: none\n', NEW, false)).toBe(
      `  stack: a\n  efs: none\n  ami: ${NEW}\n`,
    );
  });

  it('writes into an empty file or one with only comments', () => {
    expect(setInfraAmi('', NEW, false)).toBe(`ami: ${NEW}\n`);
    expect(setInfraAmi('# nothing yet\n', NEW, false)).toBe(`# nothing yet\nami: ${NEW}\n`);
  });

  it.each([
    ['stack: [cfd\n', 'infra.yaml is not valid YAML'],
    ['- a\n- b\n', 'infra.yaml is not a mapping'],
    ['stack: a\nami:\n  id: x\n', 'infra.yaml: ami (line 2) is not a single value'],
    ['stack: a\nami: |\n  ami-1\n', 'infra.yaml: ami (line 2) is not a single value'],
    ['{stack: a}\n', 'infra.yaml is a flow mapping'],
    ['stack: a\n...\n', 'infra.yaml: cannot add ami without rewriting the file'],
    ['stack: a\nstack: b\n', 'infra.yaml is not valid YAML'],
  ])('refuses %j (%s) and changes nothing', (text, message) => {
    expect(() => setInfraAmi(text, NEW, false, 'infra.yaml')).toThrow(message);
  });
});
