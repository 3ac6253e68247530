/*
 * hello-mpi: proves that every node took part in a run. Each rank adds rank+1 in an
 * MPI_Allreduce (the sum must be N(N+1)/2) and sends its host name to rank 0, which prints
 * the world size, the sum, the expected sum and every rank's host. Exits 1 when the sum is wrong.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOST_LEN 256

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  char host[HOST_LEN];
  memset(host, 0, sizeof host);
  if (gethostname(host, sizeof host - 1) != 0) strcpy(host, "unknown");

  long mine = rank + 1, sum = 0;
  MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  long expected = (long)size * (size + 1) / 2;

  /* Only rank 0 receives, and on the heap: size * HOST_LEN bytes is 25 MB at 100,000 ranks,
   * more than a default 8 MB stack. */
  char *hosts = NULL;
  if (rank == 0 && (hosts = malloc((size_t)size * HOST_LEN)) == NULL) {
    fprintf(stderr, "hello-mpi: out of memory for %d host names\n", size);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  MPI_Gather(host, HOST_LEN, MPI_CHAR, hosts, HOST_LEN, MPI_CHAR, 0, MPI_COMM_WORLD);

  int ok = sum == expected;
  if (rank == 0) {
    printf("hello-mpi: size=%d allreduce=%ld expected=%ld %s\n", size, sum, expected, ok ? "OK" : "WRONG");
    for (int r = 0; r < size; r++) printf("hello-mpi: rank %d on %s\n", r, hosts + (size_t)r * HOST_LEN);
    fflush(stdout);
    free(hosts);
  }
  MPI_Finalize();
  return ok ? 0 : 1;
}
