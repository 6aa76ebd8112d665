import { describeAwsApiContract } from './aws-api.contract.js';
import { startSimInProcessHarness } from './harnesses.js';

describeAwsApiContract('simulator in-process', startSimInProcessHarness);
