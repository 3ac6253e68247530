/** The registered nodes of a job and the hostfiles rendered from them (pure). */

/** One node as the main node knows it after registration. */
export interface NodeInfo {
  readonly index: number;
  readonly ip: string;
  readonly slots: number;
  readonly hostname: string;
  /** The node's sshd host public key (`ssh-ed25519 …`). */
  readonly hostKey: string;
}

/** Nodes in hostfile order: the main node first, then children by index. */
export function orderNodes(nodes: readonly NodeInfo[], mainIndex: number): NodeInfo[] {
  return [...nodes].sort((a, b) =>
    a.index === mainIndex ? -1 : b.index === mainIndex ? 1 : a.index - b.index,
  );
}

/** Sum of the nodes' slots (the `-np` of mpirun). */
export function totalSlots(nodes: readonly NodeInfo[]): number {
  return nodes.reduce((sum, n) => sum + n.slots, 0);
}

/** The hostfiles written to the state dir, by file name. */
export interface Hostfiles {
  /** Open MPI: `ip slots=N`. */
  readonly hostfile: string;
  /** MPICH (Hydra): `ip:N`. */
  readonly 'hostfile.mpich': string;
  /** Intel MPI (Hydra): `ip:N`. */
  readonly 'hostfile.intelmpi': string;
  /** One IP per line (pdsh, DeepSpeed's own format differs and is the user's choice). */
  readonly hosts: string;
}

/** Renders every hostfile for `ordered` nodes (main first). */
export function renderHostfiles(ordered: readonly NodeInfo[]): Hostfiles {
  const lines = (f: (n: NodeInfo) => string) => ordered.map((n) => `${f(n)}\n`).join('');
  const colon = lines((n) => `${n.ip}:${n.slots}`);
  return {
    hostfile: lines((n) => `${n.ip} slots=${n.slots}`),
    'hostfile.mpich': colon,
    'hostfile.intelmpi': colon,
    hosts: lines((n) => n.ip),
  };
}
