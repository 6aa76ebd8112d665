/**
 * Malformed and surprising AWS answers, seeded: a SimCore decorator that mangles what the
 * simulator returns before the adapter parses it (the same tolerant parser the SDK adapter
 * uses): missing fields, wrong types, unknown enum values, null entries, tags without values,
 * and answers cut off mid-body (the SDK's deserialization error for truncated JSON).
 *
 * It never invents ownership: it removes or garbles, it does not add our owner tag.
 */
import type { Rng } from '../../src/common/rng.js';
import type { SimCore } from '../../src/sim/core.js';

type Loose = Record<string, unknown>;

export interface ManglerStats {
  mangled: number;
  truncated: number;
}

const TASK_MANGLES: ReadonlyArray<(t: Loose) => Loose | null> = [
  ({ lastStatus: _l, ...t }) => t,
  (t) => ({ ...t, lastStatus: 'HIBERNATING' }),
  (t) => ({ ...t, desiredStatus: 42 }),
  ({ tags: _t, ...t }) => t,
  (t) => ({ ...t, tags: [{ key: 'esr:session' }, null, 'x', { value: 'orphan-value' }] }),
  ({ attachments: _a, ...t }) => t,
  (t) => ({ ...t, attachments: [{ details: [{ name: 'privateIPv4Address' }] }] }),
  (t) => ({ ...t, createdAt: 'yesterday', startedAt: Number.NaN }),
  ({ taskArn: _a, ...t }) => t,
  () => null,
  (t) => ({ ...t, containers: 'not-a-list', overrides: 7, unknownField: { deep: [1, 2] } }),
];

function truncated(op: string): Error {
  // What the SDK throws when a body is cut off: a SyntaxError from JSON.parse, with the
  // deserialization context attached.
  return Object.assign(new SyntaxError(`Unexpected end of JSON input (simulated truncated ${op} response)`), {
    $metadata: { httpStatusCode: 200 },
    $response: { statusCode: 200, body: '{"tasks":[{"taskArn":"arn:aws:ecs:us-e' },
  });
}

/** Mangles each answer with probability `rate()` (0 turns it off). */
export function mangleResponses(core: SimCore, rng: Rng, rate: () => number, stats: ManglerStats): SimCore {
  const call: SimCore['call'] = async (op, input, opts) => {
    const out = (await core.call(op, input, opts)) as unknown as Loose;
    const p = rate();
    if (p === 0 || rng.next() >= p) return out as never;
    stats.mangled++;
    if (rng.next() < 0.15) {
      stats.truncated++;
      throw truncated(op);
    }
    const tasks = out['tasks'];
    if (Array.isArray(tasks)) {
      out['tasks'] = tasks.map((t: Loose) => (rng.next() < 0.5 ? TASK_MANGLES[Math.floor(rng.next() * TASK_MANGLES.length)]!({ ...t }) : t));
      if (rng.next() < 0.3) out['failures'] = [{ reason: 'SOMETHING_NEW' }, null, { arn: 5 }];
    } else if (op === 'StopTask' && out['task']) {
      out['task'] = TASK_MANGLES[Math.floor(rng.next() * TASK_MANGLES.length)]!({ ...(out['task'] as Loose) });
    } else if (Array.isArray(out['taskArns'])) {
      if (rng.next() < 0.5) out['nextToken'] = '';
    } else if (Array.isArray(out['AccessPoints'])) {
      out['AccessPoints'] = (out['AccessPoints'] as Loose[]).map((a) => (rng.next() < 0.5 ? { ...a, AccessPointId: undefined, LifeCycleState: 'melting', Tags: 'nope' } : a));
    } else if (op === 'DescribeTaskDefinition' || op === 'RegisterTaskDefinition') {
      if (rng.next() < 0.5) out['tags'] = [{ key: 1 }];
    }
    return out as never;
  };
  return new Proxy(core, { get: (target, prop, receiver) => (prop === 'call' ? call : Reflect.get(target, prop, receiver)) });
}
