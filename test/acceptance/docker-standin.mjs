/**
 * A stand-in `docker` for the acceptance suite's moto run (no Docker engine in the integration
 * tier): the commands `submit` with `build:` makes — version, image inspect, build, tag, login,
 * push — on images kept in a JSON file ($MNBATCH_DOCKER_STANDIN_STATE). A push puts a manifest
 * into the account's ECR (PutImage at $AWS_ENDPOINT_URL, the moto shim), so ECR holds the image
 * and the digest printed is the one ECR gives it, as with a real push. Every argv is recorded.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const statePath = process.env.MNBATCH_DOCKER_STANDIN_STATE ?? '';
const state = existsSync(statePath)
  ? JSON.parse(readFileSync(statePath, 'utf8'))
  : { images: {}, calls: [], logins: {} };
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));

let args = process.argv.slice(2);
state.calls.push(args.join(' '));
let config = '';
if (args[0] === '--config') {
  config = args[1] ?? '';
  args = args.slice(2);
}
const fail = (message, code = 1) => {
  save();
  process.stderr.write(`${message}\n`);
  process.exit(code);
};
const sha = (text) => createHash('sha256').update(text).digest('hex');
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** PutImage of a manifest made from `id` into repository `repository` as `tag`; the digest ECR gives it. */
async function putImage(repository, tag, id) {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const layer = (n) => ({
    mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    size: 1024 * (n + 1),
    digest: `sha256:${sha(`${id}/${n}`)}`,
  });
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 512, digest: id },
    layers: [layer(0), layer(1)],
  };
  const res = await fetch(process.env.AWS_ENDPOINT_URL ?? '', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.PutImage',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/ecr/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({
      repositoryName: repository,
      imageTag: tag,
      imageManifest: JSON.stringify(manifest),
    }),
  });
  const body = await res.text();
  if (!res.ok) fail(`denied: PutImage answered ${res.status}: ${body}`);
  return JSON.parse(body).image.imageId.imageDigest;
}

switch (args[0]) {
  case 'version':
    process.stdout.write('27.5.1-standin\n');
    break;
  case 'image': {
    const ref = args.at(-1) ?? '';
    const image = state.images[ref];
    if (args[1] !== 'inspect' || !image) fail(`Error: No such image: ${ref}`);
    const format = option('--format') ?? '';
    if (format.includes('.Config.Labels')) process.stdout.write(`${JSON.stringify(image.labels)}\n`);
    else process.stdout.write(`${image.id} linux amd64\n`);
    break;
  }
  case 'build': {
    const tags = args.flatMap((a, i) => (args[i - 1] === '-t' ? [a] : []));
    const labels = Object.fromEntries(
      args.flatMap((a, i) => (args[i - 1] === '--label' ? [a.split(/=(.*)/s).slice(0, 2)] : [])),
    );
    const context = args.at(-1) ?? '';
    const dockerfile = option('-f') ?? join(context, 'Dockerfile');
    if (!existsSync(dockerfile)) fail(`ERROR: failed to read dockerfile: open ${dockerfile}: no such file`);
    const id = `sha256:${sha(JSON.stringify({ tags, labels, context }))}`;
    for (const t of tags) state.images[t] = { id, labels };
    process.stdout.write(`#1 naming to ${tags.join(', ')} done\n`);
    break;
  }
  case 'tag': {
    const [source = '', target = ''] = args.slice(1);
    if (!state.images[source]) fail(`Error response from daemon: No such image: ${source}`);
    state.images[target] = state.images[source];
    break;
  }
  case 'login': {
    const password = await readStdin();
    if (!config || !password) fail('Error: login needs --config and a password on stdin');
    state.logins[config] = args.at(-1);
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [args.at(-1) ?? '']: {} } }));
    process.stdout.write('Login Succeeded\n');
    break;
  }
  case 'push': {
    const ref = args[1] ?? '';
    const image = state.images[ref];
    if (!image) fail(`An image does not exist locally with the tag: ${ref}`);
    const host = ref.split('/')[0];
    if (state.logins[config] !== host) fail(`denied: not logged in to ${host}`);
    const [, path = '', tag = ''] = /^[^/]+\/(.+):([^:/]+)$/.exec(ref) ?? [];
    const digest = await putImage(path, tag, image.id);
    process.stdout.write(`${sha(ref).slice(0, 12)}: Pushed\n${tag}: digest: ${digest} size: 1234\n`);
    break;
  }
  default:
    fail(`docker stand-in: ${args[0]} is not simulated`);
}
save();
