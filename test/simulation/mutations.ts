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

/**
 * (d) Content blind: RunTask sends only the controller's own variables, dropping the gateway's
 * env (what a controller that ignores env changes, or hands out tasks without comparing their
 * content, ends up serving). Caught by the content oracle (invariant 8).
 */
export const dropGatewayEnv: Mutation = {
  name: 'drop-gateway-env',
  wrapAws: (api: AwsApi) =>
    wrapAwsApi(api, (c, invoke) => {
      if (c.method !== 'runTask') return invoke();
      const i = c.input as RunTaskInput;
      const containerOverrides = (i.overrides?.containerOverrides ?? []).map((o) => ({ ...o, environment: Object.fromEntries(Object.entries(o.environment ?? {}).filter(([k]) => k.startsWith('ESR_'))) }));
      return invoke({ ...i, overrides: { ...i.overrides, containerOverrides } });
    }),
};

/**
 * (f) Content-blind claims: the controller judges tasks against a spec without the gateway's
 * env, so it hands a session a warm task (which never carries gateway env) whatever env the
 * session asks for, and counts such a task as serving it. Made from outside: the controllers
 * read every session spec with its env removed. Caught by the content oracle (invariant 8).
 */
export const contentBlindClaims: Mutation = {
  name: 'content-blind-claims',
  readSpec: (spec) => ({ ...spec, env: {} }),
};

/** (e) Unconditional status: the store accepts a status whatever spec generation it was computed from. */
export const unconditionalStatus: Mutation = { name: 'unconditional-status', ignoreStatusBasis: true };

/**
 * (g) Lifetimes ignored: controllers read specs without their `lifetime` (what a controller that
 * never checks expiry amounts to), so no session ever expires. Caught by invariant 10.
 */
export const ignoreExpiry: Mutation = {
  name: 'ignore-expiry',
  readSpec: ({ lifetime: _ignored, ...spec }) => spec,
};

export const MUTATIONS: Readonly<Record<string, Mutation>> = {
  [ignoreExpiry.name]: ignoreExpiry,
  [dropGatewayEnv.name]: dropGatewayEnv,
  [unconditionalStatus.name]: unconditionalStatus,
  [noIdempotencyTokens.name]: noIdempotencyTokens,
  [noOwnershipCheck.name]: noOwnershipCheck,
  [noFencing.name]: noFencing,
  [contentBlindClaims.name]: contentBlindClaims,
};
