/** mpirun arguments for "nodes" that live on loopback addresses (Open MPI leaves loopback out by default). */
export const LOOPBACK_MPIRUN_ARGS: readonly string[] = [
  '--mca',
  'btl',
  'self,tcp',
  '--mca',
  'btl_tcp_if_include',
  'lo',
  '--mca',
  'oob_tcp_if_include',
  'lo',
];
