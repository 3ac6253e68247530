/**
 * The model snapshot the unit tier checks requests and responses against is the newest botocore
 * on this machine (the integration tier always has one: moto brings it), reduced to the
 * operations the code calls.
 */
import { describe, expect, it } from 'vitest';
import { snapshotDifferences } from '../../scripts/aws-models.js';
import { REPO } from '../_helpers/moto/aws-test-account.js';

describe('test/_fixtures/aws-models', () => {
  it('is what the newest botocore says about every operation the code calls', () => {
    expect(snapshotDifferences(REPO)).toEqual([]);
  });
});
