/* A tiny MPI program for the agent's loopback tests: each rank reports which node's sshd
 * started it (SSH_CONNECTION's server address), and an allreduce proves the ranks talk. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size, sum = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char server[64] = "local";
  const char *conn = getenv("SSH_CONNECTION");
  if (conn != NULL) sscanf(conn, "%*s %*s %63s", server);
  MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  printf("rank %d of %d on %s sum %d\n", rank, size, server, sum);
  fflush(stdout);
  if (argc > 2 && strcmp(argv[1], "sleep") == 0) {
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
      printf("all ranks sleeping\n");
      fflush(stdout);
    }
    sleep(atoi(argv[2]));
  }
  int code = (argc > 2 && strcmp(argv[1], "exit") == 0) ? atoi(argv[2]) : 0;
  MPI_Finalize();
  return rank == 0 ? code : 0;
}
