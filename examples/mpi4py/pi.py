"""mpi4py-pi: pi as the integral of 4/(1+x^2) over [0, 1] by the midpoint rule, the intervals
dealt out to every rank and the partial sums added with an allreduce. Rank 0 prints the world
size, the result and its error; every rank exits 1 when the error is too large, so a wrong
reduction fails the job."""
import math
import sys

from mpi4py import MPI

INTERVALS = 200_000
TOLERANCE = 1e-9

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
h = 1.0 / INTERVALS
partial = sum(4.0 / (1.0 + ((i + 0.5) * h) ** 2) for i in range(rank, INTERVALS, size)) * h
pi = comm.allreduce(partial, op=MPI.SUM)
ranks_seen = comm.allreduce(1, op=MPI.SUM)
error = abs(pi - math.pi)
ok = error < TOLERANCE and ranks_seen == size
if rank == 0:
    print(f"mpi4py-pi: size={size} pi={pi:.12f} error={error:.1e} {'OK' if ok else 'WRONG'}", flush=True)
sys.exit(0 if ok else 1)
