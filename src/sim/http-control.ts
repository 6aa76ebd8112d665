import { z } from 'zod';
import type { SimCore } from './core.js';
import { parseJsonBody } from './wire.js';
import type { HttpAnswer } from './http-types.js';

/**
 * Control endpoints under /_sim/ (JSON in, JSON out; never counted in the API stats):
 *   GET  /_sim/state                 state dump (tasks, access points, faults, stats)
 *   GET  /_sim/stats                 call counters;  POST /_sim/stats/reset zeroes them
 *   GET  /_sim/faults                current faults; PUT replaces them, POST merges into them
 *   POST /_sim/tasks/crash           { taskArn, stopCode?, reason?, exitCode? }
 *   POST /_sim/tasks/spot-interrupt  { taskArn }
 *   POST /_sim/outage                { service: 'ecs'|'efs'|'sqs', durationMs, afterMs?, mode?: 'error'|'hang' }
 *   POST /_sim/reset                 forget everything
 * Bad input answers 400 { error }.
 */
const crashBody = z.object({
  taskArn: z.string().min(1),
  stopCode: z.enum(['EssentialContainerExited', 'TaskFailedToStart', 'UserInitiated', 'SpotInterruption', 'InfrastructureHealth', 'ServiceSchedulerInitiated', 'TerminationNotice']).optional(),
  reason: z.string().optional(),
  exitCode: z.number().int().optional(),
});
const spotBody = z.object({ taskArn: z.string().min(1) });
const outageBody = z.object({
  service: z.enum(['ecs', 'efs', 'sqs']),
  durationMs: z.number().min(0),
  afterMs: z.number().min(0).optional(),
  mode: z.enum(['error', 'hang']).optional(),
});

function json(status: number, value: unknown): HttpAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

export function serveControl(core: SimCore, method: string, path: string, rawBody: string): HttpAnswer {
  try {
    const body = (): unknown => parseJsonBody(rawBody);
    const key = `${method} ${path.replace(/\/+$/, '')}`;
    switch (key) {
      case 'GET /_sim/state':
        return json(200, core.dump());
      case 'GET /_sim/stats':
        return json(200, core.getStats());
      case 'POST /_sim/stats/reset':
        core.stats.reset();
        return json(200, core.getStats());
      case 'GET /_sim/faults':
        return json(200, core.faults.current());
      case 'PUT /_sim/faults':
        return json(200, core.setFaults(body() as never));
      case 'POST /_sim/faults':
        return json(200, core.mergeFaults(body() as never));
      case 'POST /_sim/tasks/crash': {
        const b = crashBody.parse(body());
        core.crashTask(b.taskArn, b);
        return json(200, { ok: true });
      }
      case 'POST /_sim/tasks/spot-interrupt':
        core.interruptSpot(spotBody.parse(body()).taskArn);
        return json(200, { ok: true });
      case 'POST /_sim/outage': {
        const b = outageBody.parse(body());
        return json(200, core.startOutage(b.service, b.durationMs, b));
      }
      case 'POST /_sim/reset':
        core.reset();
        return json(200, { ok: true });
      default:
        return json(404, { error: `unknown control endpoint: ${key}` });
    }
  } catch (err) {
    return json(400, { error: (err as Error).message });
  }
}
