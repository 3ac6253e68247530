import { describe, expect, it } from 'vitest';
import { modelErrors } from './_helpers/aws-model.js';

describe('the AWS service model checker', () => {
  it('accepts a minimal valid request', () => {
    expect(modelErrors('batch', 'SubmitJob', { jobName: 'a', jobQueue: 'q', jobDefinition: 'd' })).toEqual(
      [],
    );
  });

  it('ignores members set to undefined, as the SDK does not send them', () => {
    expect(
      modelErrors('batch', 'SubmitJob', {
        jobName: 'a',
        jobQueue: 'q',
        jobDefinition: 'd',
        notAMember: undefined,
      }),
    ).toEqual([]);
  });

  it('names missing required members, unknown members, bad enums and bad types', () => {
    const errors = modelErrors('batch', 'RegisterJobDefinition', {
      type: 'multinodes',
      timeout: { attemptDurationSeconds: '60' },
      nodeProperty: {},
    });
    expect(errors).toEqual([
      'RegisterJobDefinition.jobDefinitionName: required by RegisterJobDefinitionRequest',
      expect.stringContaining('RegisterJobDefinition.type: "multinodes" is not one of'),
      expect.stringContaining('RegisterJobDefinition.timeout.attemptDurationSeconds: expected an integer'),
      'RegisterJobDefinition.nodeProperty: not a member of RegisterJobDefinitionRequest',
    ]);
  });
});
