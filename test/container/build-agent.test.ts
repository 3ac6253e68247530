/** scripts/build-agent.ts: the single executable is a copy of the building Node, so that Node must need nothing beyond glibc. */
import { describe, expect, it } from 'vitest';
import { foreignLibraries } from '../../scripts/build-agent.js';

const OFFICIAL_NODE = `	linux-vdso.so.1 (0x00007ffd)
	libdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f01)
	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f02)
	libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f03)
	libgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f04)
	libpthread.so.0 => /lib/x86_64-linux-gnu/libpthread.so.0 (0x00007f05)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f06)
	/lib64/ld-linux-x86-64.so.2 (0x00007f07)
`;

const DISTRIBUTION_NODE = `	linux-vdso.so.1 (0x00007ffd)
	libnode.so.115 => /lib64/libnode.so.115 (0x00007f01)
	libuv.so.1 => /lib64/libuv.so.1 (0x00007f02)
	libssl.so.3 => /lib64/libssl.so.3 (0x00007f03)
	libstdc++.so.6 => /lib64/libstdc++.so.6 (0x00007f04)
	libc.so.6 => /lib64/libc.so.6 (0x00007f05)
	/lib64/ld-linux-x86-64.so.2 (0x00007f06)
`;

describe('foreignLibraries', () => {
  it('given an official Node build, when its libraries are checked, then none is foreign', () => {
    expect(foreignLibraries(OFFICIAL_NODE)).toEqual([]);
    expect(foreignLibraries('\tnot a dynamic executable\n')).toEqual([]);
  });

  it("given a distribution's Node linked to libnode, libuv and OpenSSL, when checked, then those are named", () => {
    expect(foreignLibraries(DISTRIBUTION_NODE)).toEqual(['libnode.so.115', 'libuv.so.1', 'libssl.so.3']);
  });
});
