import { describeAwsApiContract } from './aws-api.contract.js';
import { startFakeHarness } from './harnesses.js';

describeAwsApiContract('in-memory fake', startFakeHarness);
