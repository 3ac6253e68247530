import { describe, expect, it } from 'vitest';
import { type NodeSlots, planLocalSlots } from '../../src/local/slots.js';

const node = (over: Partial<NodeSlots> = {}): NodeSlots => ({
  slots: 'auto',
  gpus: 0,
  launch: 'mpirun',
  mpi: 'openmpi',
  ...over,
});
const nodes = (n: number, over: Partial<NodeSlots> = {}) => Array.from({ length: n }, () => node(over));

describe('planLocalSlots', () => {
  it.each([
    [2, 8, 4],
    [3, 8, 2],
    [4, 2, 1],
    [1, 6, 6],
  ])('gives each of %i auto nodes on %i CPUs %i slots (at least 1)', (n, cpus, each) => {
    expect(planLocalSlots(nodes(n), cpus).slots).toEqual(Array(n).fill(each));
  });

  it('leaves explicit slots and GPU jobs (a rank per GPU) as they are', () => {
    const plan = planLocalSlots([node({ slots: 3 }), node({ gpus: 1 }), node()], 6);
    expect(plan.slots).toEqual([undefined, undefined, 2]);
  });

  it('is quiet while the ranks fit the CPUs', () => {
    expect(planLocalSlots(nodes(2), 2)).toMatchObject({ oversubscribed: false, note: undefined });
    expect(planLocalSlots(nodes(2, { slots: 1 }), 2)).toMatchObject({ oversubscribed: false });
  });

  it('makes Open MPI ranks yield when there are more than the CPUs, with one line saying so', () => {
    const plan = planLocalSlots(nodes(2, { slots: 4 }), 2);
    expect(plan.oversubscribed).toBe(true);
    expect(plan.note).toBe(
      '8 ranks on 2 CPUs: oversubscribed, so idle ranks yield the CPU (Open MPI mpi_yield_when_idle=1); expect it slower than on 2 instances',
    );
  });

  it("keeps the job's own mpi_yield_when_idle and says so, not that ranks yield", () => {
    expect(planLocalSlots(nodes(2, { slots: 4, jobYield: '0' }), 2).note).toBe(
      '8 ranks on 2 CPUs: oversubscribed; the job sets OMPI_MCA_mpi_yield_when_idle=0 itself, and that is kept: idle Open MPI ranks busy-poll, expect it much slower than on 2 instances',
    );
    expect(planLocalSlots(nodes(2, { slots: 4, jobYield: '1', mpi: 'auto' }), 2).note).toBe(
      '8 ranks on 2 CPUs: oversubscribed; the job sets OMPI_MCA_mpi_yield_when_idle=1 itself, and that is kept',
    );
  });

  it('with mpi: auto (the image decides), says the yield applies when the image has Open MPI', () => {
    const plan = planLocalSlots(nodes(2, { slots: 4, mpi: 'auto' }), 2);
    expect(plan.oversubscribed).toBe(true);
    expect(plan.note).toBe(
      '8 ranks on 2 CPUs: oversubscribed, so idle ranks yield the CPU (the image’s MPI: mpi_yield_when_idle=1 when the image has Open MPI; MPICH and Intel MPI have no such setting); expect it slower than on 2 instances',
    );
  });

  it('counts a node per rank when there are more auto nodes than CPUs', () => {
    const plan = planLocalSlots(nodes(3), 2);
    expect(plan.slots).toEqual([1, 1, 1]);
    expect(plan.note).toMatch(/^3 ranks on 2 CPUs: oversubscribed/);
  });

  it('says when the MPI has no yield setting', () => {
    const plan = planLocalSlots(nodes(2, { slots: 2, mpi: 'mpich' }), 1);
    expect(plan.oversubscribed).toBe(true);
    expect(plan.note).toBe(
      '4 ranks on 1 CPU: oversubscribed, and MPICH has no setting to make idle ranks yield the CPU; expect it much slower than on 2 instances',
    );
  });

  it.each(['each', 'main'] as const)('does not guess the ranks of launch %s', (launch) => {
    const plan = planLocalSlots(nodes(4, { slots: 8, launch }), 2);
    expect(plan).toMatchObject({ oversubscribed: false, note: undefined });
  });
});
