/**
 * `--write-infra infra.yaml`: puts the baked AMI into the user's infra.yaml, changing only the
 * keys it sets and keeping comments and layout (yaml's Document API).
 */
import { isMap, parseDocument } from 'yaml';
import { MnbatchError } from '../errors.js';

/** `text` (an infra.yaml) with `ami: imageId`, and `hyperthreading: offViaAmi` when nr_cpus was baked. */
export function setInfraAmi(
  text: string,
  imageId: string,
  hyperthreadingOff: boolean,
  file = 'infra.yaml',
): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new MnbatchError('AMI_INFRA_YAML_INVALID', `${file} is not valid YAML; ami not written`, {
      details: doc.errors.map((e) => e.message.split('\n')[0] ?? ''),
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new MnbatchError('AMI_INFRA_YAML_INVALID', `${file} is not a mapping; ami not written`);
  }
  doc.set('ami', imageId);
  if (hyperthreadingOff) doc.set('hyperthreading', 'offViaAmi');
  return doc.toString();
}
