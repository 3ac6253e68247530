/**
 * Ships the agent as one file, so that `COPY` of it makes any MPI image an mnbatch image:
 *   dist/agent-bundle/mnbatch-agent.cjs  one CommonJS bundle (minified, shebang) that needs only Node 18+
 *   dist/agent-bundle/mnbatch-agent      a Node single executable application (SEA) that needs no Node at all
 *
 * Usage: node --import tsx scripts/build-agent.ts [--no-sea] [--entry src/agent/main.ts] [--out dist/agent-bundle]
 * The SEA is made with the Node that runs this script (20+: `--experimental-sea-config` + postject).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Written into postject's and Node's SEA loader: must match the fuse Node's binary carries. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Run as a script (imported by tests, it only exports its helpers). */
const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

const { values } = parseArgs({
  args: isMain ? process.argv.slice(2) : [],
  options: {
    entry: { type: 'string', default: 'src/agent/main.ts' },
    out: { type: 'string', default: 'dist/agent-bundle' },
    'no-sea': { type: 'boolean', default: false },
  },
});

const entry = resolve(root, values.entry);
const outDir = resolve(root, values.out);
const bundle = join(outDir, 'mnbatch-agent.cjs');
const executable = join(outDir, 'mnbatch-agent');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

function log(line: string): void {
  process.stderr.write(`[build-agent] ${line}\n`);
}

/**
 * src/version.ts reads package.json next to src/ at run time; in a container there is no
 * package.json, so the bundle gets the version as a constant instead.
 */
const inlineVersion: Plugin = {
  name: 'inline-version',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
      contents: `export function mnbatchVersion() { return ${JSON.stringify(version)}; }`,
      loader: 'ts',
    }));
  },
};

/**
 * Node builtins become CommonJS `require` calls inside the bundle, so that the ESM bundle has no
 * `import` statement left and can be wrapped into a CommonJS script (see bundleAgent).
 */
const builtinsAsRequire: Plugin = {
  name: 'builtins-as-require',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      return args.namespace === 'builtin'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * A Node SEA runs only CommonJS, and esbuild refuses top-level await in CommonJS output. So the
 * agent is bundled as ESM with no imports left (builtinsAsRequire), and that body is wrapped in
 * an async function: a CommonJS script that keeps the entry's top-level await working.
 */
async function bundleAgent(): Promise<void> {
  if (!existsSync(entry)) throw new Error(`agent entry ${values.entry} does not exist`);
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    plugins: [inlineVersion, builtinsAsRequire],
    logLevel: 'warning',
  });
  const body = result.outputFiles[0]?.text ?? '';
  if (/^\s*(import|export)\b/m.test(body.replace(/^#!.*\n/, ''))) {
    throw new Error('the agent bundle still has import/export statements; it cannot become CommonJS');
  }
  const script = [
    '#!/usr/bin/env node',
    '"use strict";',
    '(async()=>{',
    body.replace(/^#!.*\n/, ''),
    '})().catch((e)=>{process.stderr.write("mnbatch-agent: "+((e&&e.stack)||e)+"\\n");process.exit(70)});',
    '',
  ].join('\n');
  writeFileSync(bundle, script);
  chmodSync(bundle, 0o755);
  log(`bundle ${bundle} (${Math.round(script.length / 1024)} KiB, needs Node 18+)`);
}

/** Libraries every glibc Linux has (the SEA's documented needs: glibc and libstdc++). */
const SYSTEM_LIBRARY =
  /^(linux-vdso|linux-gate|ld-linux.*|libc|libm|libdl|libpthread|librt|libresolv|libgcc_s|libstdc\+\+|libatomic)\.so/;

/**
 * The shared libraries in `ldd` output beyond glibc and libstdc++. A distribution's Node is often
 * linked to its libnode, libuv, OpenSSL…: the SEA is a copy of that binary, so it would run only
 * in images that have the very same libraries.
 */
export function foreignLibraries(ldd: string): string[] {
  if (/not a dynamic executable|statically linked/.test(ldd)) return [];
  return ldd
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '' && !SYSTEM_LIBRARY.test(basename(name)));
}

function checkPortable(node: string): void {
  let ldd: string;
  try {
    ldd = execFileSync('ldd', [node], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    log('ldd not available: cannot check which libraries the executable needs');
    return;
  }
  const foreign = foreignLibraries(ldd);
  if (foreign.length > 0) {
    throw new Error(
      `${node} needs ${foreign.join(', ')}: the single executable, a copy of it, would not start in images without them. ` +
        'Build with an official Node build (nodejs.org, nvm), or pass --no-sea for the bundle alone.',
    );
  }
}

function makeSingleExecutable(): void {
  checkPortable(process.execPath);
  const seaConfig = join(outDir, 'sea-config.json');
  const blob = join(outDir, 'mnbatch-agent.blob');
  writeFileSync(
    seaConfig,
    // Paths relative to outDir: the blob records `main`, so an absolute path would make every
    // checkout's executable (and so the agent image) differ.
    JSON.stringify({
      main: basename(bundle),
      output: basename(blob),
      disableExperimentalSEAWarning: true,
      useCodeCache: false,
    }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', basename(seaConfig)], {
    stdio: 'inherit',
    cwd: outDir,
  });
  rmSync(executable, { force: true });
  copyFileSync(process.execPath, executable);
  chmodSync(executable, 0o755);
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/postject/dist/cli.js'),
      executable,
      'NODE_SEA_BLOB',
      blob,
      '--sentinel-fuse',
      SEA_FUSE,
    ],
    // postject warns about ELF note sections on every run; its output matters only when it fails.
    { stdio: 'pipe' },
  );
  rmSync(blob);
  rmSync(seaConfig);
  log(`single executable ${executable} (Node ${process.versions.node}, needs no Node)`);
}

async function main(): Promise<void> {
  await bundleAgent();
  if (values['no-sea']) {
    log('single executable skipped (--no-sea)');
  } else if (Number(process.versions.node.split('.')[0]) < 20) {
    log(`single executable skipped: needs Node 20+ to build, this is ${process.versions.node}`);
  } else {
    makeSingleExecutable();
  }
}

if (isMain) await main();
