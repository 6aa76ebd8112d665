import { describeAwsApiContract } from './aws-api.contract.js';
import { startSdkOverHttpHarness } from './harnesses.js';

describeAwsApiContract('real SDK over HTTP to the simulator', startSdkOverHttpHarness);
