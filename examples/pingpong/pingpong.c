/*
 * pingpong: latency and bandwidth between rank 0 and rank 1, in the manner of osu_latency.
 * For each message size from 0 bytes to 1 MiB (powers of two), rank 0 sends and rank 1 sends
 * back, `iterations` times after a warm-up; the one-way latency is half the round trip and the
 * bandwidth is size / latency. Rank 0 prints a table and then the 0-byte latency on its own
 * line. Other ranks (if any) only wait. Exits 1 with fewer than 2 ranks or a corrupt message.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIZE (1 << 20)
#define LARGE (64 * 1024)

static int iterations_for(int size) { return size >= LARGE ? 20 : 200; }
static int warmup_for(int size) { return size >= LARGE ? 2 : 20; }

/* Microseconds of one-way latency for `size` bytes; checks the echoed bytes. */
static double one_way_us(char *buf, int size, int rank, int *corrupt) {
  int iterations = iterations_for(size), warmup = warmup_for(size);
  double start = 0.0;
  for (int i = 0; i < warmup + iterations; i++) {
    if (i == warmup) {
      MPI_Barrier(MPI_COMM_WORLD);
      start = MPI_Wtime();
    }
    if (rank == 0) {
      if (size > 0) buf[size - 1] = (char)i;
      MPI_Send(buf, size, MPI_CHAR, 1, 1, MPI_COMM_WORLD);
      MPI_Recv(buf, size, MPI_CHAR, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (size > 0 && buf[size - 1] != (char)i) *corrupt = 1;
    } else if (rank == 1) {
      MPI_Recv(buf, size, MPI_CHAR, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(buf, size, MPI_CHAR, 0, 1, MPI_COMM_WORLD);
    }
  }
  return (MPI_Wtime() - start) * 1e6 / (2.0 * iterations);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size < 2) {
    if (rank == 0) fprintf(stderr, "pingpong: needs at least 2 ranks, got %d\n", size);
    MPI_Finalize();
    return 1;
  }
  char *buf = malloc(MAX_SIZE);
  if (buf == NULL) MPI_Abort(MPI_COMM_WORLD, 2);
  memset(buf, 'a', MAX_SIZE);

  int corrupt = 0;
  double zero_byte_us = 0.0;
  if (rank == 0) printf("pingpong: %-10s %14s %16s\n", "bytes", "latency (us)", "bandwidth (MB/s)");
  for (int bytes = 0; bytes <= MAX_SIZE; bytes = bytes == 0 ? 1 : bytes * 2) {
    double us = one_way_us(buf, bytes, rank, &corrupt);
    if (bytes == 0) zero_byte_us = us;
    if (rank == 0) printf("pingpong: %-10d %14.2f %16.2f\n", bytes, us, bytes / us);
  }
  if (rank == 0) {
    printf("pingpong: 0-byte latency %.2f us %s\n", zero_byte_us, corrupt ? "CORRUPT" : "OK");
    fflush(stdout);
  }
  MPI_Bcast(&corrupt, 1, MPI_INT, 0, MPI_COMM_WORLD);
  free(buf);
  MPI_Finalize();
  return corrupt ? 1 : 0;
}
