import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { checkSdkMocks, resetSdkMocks, restoreSdkMocks } from './sdk-mock.js';

// Runs for every test file (also when files share a worker): the lifecycle of the file's SDK
// stubs, see sdk-mock.ts.
beforeEach(resetSdkMocks);
afterEach(checkSdkMocks);
afterAll(restoreSdkMocks);
