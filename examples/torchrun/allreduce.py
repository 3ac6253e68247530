"""torchrun-allreduce: every process of every node adds rank+1 with torch.distributed's
all_reduce over gloo (CPU), so the sum must be W(W+1)/2 for a world of W processes. Global rank 0
prints the world size, the sum and the expected sum; every process exits 1 when the sum is wrong."""
import socket
import sys

import torch
import torch.distributed as dist

dist.init_process_group(backend="gloo")
rank, world = dist.get_rank(), dist.get_world_size()
value = torch.tensor([float(rank + 1)])
dist.all_reduce(value, op=dist.ReduceOp.SUM)
expected = world * (world + 1) / 2
ok = value.item() == expected
hosts = [None] * world
dist.all_gather_object(hosts, socket.gethostname())
if rank == 0:
    print(
        f"torchrun-allreduce: torch={torch.__version__} world={world} sum={value.item():g} "
        f"expected={expected:g} {'OK' if ok else 'WRONG'}",
        flush=True,
    )
    for r, host in enumerate(hosts):
        print(f"torchrun-allreduce: rank {r} on {host}")
dist.destroy_process_group()
sys.exit(0 if ok else 1)
