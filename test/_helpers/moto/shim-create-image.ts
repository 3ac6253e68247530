/**
 * CreateImage with `TagSpecifications` for `snapshot`: EC2 tags the snapshots it makes of the
 * instance's volumes (and the image with `image`); moto 5.2 raises NotImplementedError for the
 * `snapshot` resource type (an HTTP 500). Corrected: moto gets the request without the snapshot
 * specifications, then the shim tags the new image's snapshots with CreateTags, so the result is
 * what EC2 leaves behind.
 */
import type { Correction } from './shim.js';

/** The form fields of `TagSpecification.N` entries, renumbered, without the `snapshot` ones; and their tags. */
function splitSnapshotTags(params: Readonly<Record<string, unknown>>): {
  form: Record<string, string>;
  snapshotTags: { key: string; value: string }[];
} {
  const form: Record<string, string> = {};
  const snapshotTags: { key: string; value: string }[] = [];
  for (const [k, v] of Object.entries(params)) if (!k.startsWith('TagSpecification.')) form[k] = String(v);
  let kept = 0;
  for (let i = 1; params[`TagSpecification.${i}.ResourceType`] !== undefined; i++) {
    const prefix = `TagSpecification.${i}.`;
    const isSnapshot = params[`${prefix}ResourceType`] === 'snapshot';
    if (isSnapshot) {
      for (let t = 1; params[`${prefix}Tag.${t}.Key`] !== undefined; t++) {
        snapshotTags.push({
          key: String(params[`${prefix}Tag.${t}.Key`]),
          value: String(params[`${prefix}Tag.${t}.Value`] ?? ''),
        });
      }
      continue;
    }
    kept++;
    for (const [k, v] of Object.entries(params)) {
      if (k.startsWith(prefix)) form[`TagSpecification.${kept}.${k.slice(prefix.length)}`] = String(v);
    }
  }
  return { form, snapshotTags };
}

/** The correction. */
export function createImageSnapshotTags(): Correction {
  return async (call, ctx) => {
    if (call.service !== 'ec2' || call.operation !== 'CreateImage') return undefined;
    const { form, snapshotTags } = splitSnapshotTags(call.params);
    if (snapshotTags.length === 0) return undefined;
    const created = await ctx.moto('ec2', { form });
    const imageId = /<imageId>(ami-[0-9a-f]+)<\/imageId>/.exec(created.body)?.[1];
    if (created.status !== 200 || !imageId) return { answer: created };
    const described = await ctx.moto('ec2', {
      form: { Action: 'DescribeImages', Version: '2016-11-15', 'ImageId.1': imageId },
    });
    const snapshots = [...described.body.matchAll(/<snapshotId>(snap-[0-9a-f]+)<\/snapshotId>/g)].map(
      (m) => m[1] ?? '',
    );
    if (snapshots.length > 0) {
      const tagForm: Record<string, string> = { Action: 'CreateTags', Version: '2016-11-15' };
      snapshots.forEach((id, i) => {
        tagForm[`ResourceId.${i + 1}`] = id;
      });
      snapshotTags.forEach((t, i) => {
        tagForm[`Tag.${i + 1}.Key`] = t.key;
        tagForm[`Tag.${i + 1}.Value`] = t.value;
      });
      await ctx.moto('ec2', { form: tagForm });
    }
    return { answer: created };
  };
}
