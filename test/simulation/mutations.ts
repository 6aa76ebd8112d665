/**
 * Deliberately broken controllers, made from outside by decoration (no seam in src/): the
 * simulation must catch each of them within a bounded number of seeds (test/simulation/
 * mutations.test.ts), so the invariants are known to bite.
 */
import type { AwsApi, DescribeTasksOutput, RunTaskInput } from '../../src/observed/aws-api.js';
import type { ObservedTask } from '../../src/observed/model.js';
import { wrapAwsApi } from './aws-wrap.js';
import { SIM_OWNER } from './config.js';
import type { Mutation } from './world.js';

/** (a) Idempotency tokens disabled: every RunTask goes out without its clientToken. */
export const noIdempotencyTokens: Mutation = {
  name: 'no-idempotency',
  wrapAws: (api: AwsApi) =>
    wrapAwsApi(api, (c, invoke) => {
      if (c.method !== 'runTask') return invoke();
      const { clientToken: _dropped, ...rest } = c.input as RunTaskInput;
      return invoke(rest);
    }),
};

/**
 * (b) Ownership check disabled: the controller judges ownership by the session tag alone. Made
 * from outside by presenting every task that carries a session tag as ours (owner tag added on
 * read), which is exactly what a controller that skipped the owner check would conclude.
 */
export const noOwnershipCheck: Mutation = {
  name: 'no-ownership',
  wrapAws: (api: AwsApi) =>
    wrapAwsApi(api, async (c, invoke) => {
      const out = await invoke();
      if (c.method !== 'describeTasks') return out;
      const d = out as DescribeTasksOutput;
      const claim = (t: ObservedTask): ObservedTask => (t.tags['esr:session'] ? { ...t, tags: { ...t.tags, 'esr:owner': SIM_OWNER } } : t);
      return { ...d, tasks: d.tasks.map(claim) };
    }),
};

/** (c) Fencing disabled: the store accepts status writes whatever their fencing token. */
export const noFencing: Mutation = { name: 'no-fencing', ignoreFencing: true };

export const MUTATIONS: Readonly<Record<string, Mutation>> = {
  [noIdempotencyTokens.name]: noIdempotencyTokens,
  [noOwnershipCheck.name]: noOwnershipCheck,
  [noFencing.name]: noFencing,
};
