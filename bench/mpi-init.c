/* The MPI_Init benchmark's program: each rank prints the wall-clock time (epoch µs) at which its
 * MPI_Init returned, then holds the job open for argv[1] seconds (the bench lets every rank get there
 * before any reaches MPI_Finalize). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  printf("mpi-init rank=%d us=%lld\n", rank, (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
  fflush(stdout);
  if (argc > 1) sleep(atoi(argv[1]));
  MPI_Finalize();
  return 0;
}
