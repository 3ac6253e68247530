// Positive control for the import blocker: this module does load the AWS SDK.
import { BatchClient } from '@aws-sdk/client-batch';

export const client = BatchClient.name;
