import { z } from 'zod';

/** The margin rule: overall >= sum(steps) * factor. 1.5 leaves room for queueing and retries. */
export const DEFAULT_MARGIN_FACTOR = 1.5;

/** Step budgets of a session start, in ms. Each AWS call in a step gets min(budget, remaining). */
export const stepBudgetsSchema = z.object({
  ensureAccessPoint: z.number().int().positive().default(5_000),
  registerTaskDefinition: z.number().int().positive().default(5_000),
  runTask: z.number().int().positive().default(10_000),
  waitForRunning: z.number().int().positive().default(60_000),
  tagResource: z.number().int().positive().default(3_000),
});

export const timeoutsConfigSchema = z.object({
  steps: stepBudgetsSchema.default(stepBudgetsSchema.parse({})),
  /** Deadline for a whole session start, ms. Default 1.5 x the default steps (83 s -> 124.5 s). */
  sessionStartMs: z.number().int().positive().default(125_000),
  /** Per-call budget for single reads (DescribeTasks, ListTasks pages), ms. */
  readCallMs: z.number().int().positive().default(5_000),
  marginFactor: z.number().min(1).default(DEFAULT_MARGIN_FACTOR),
});
export type TimeoutsConfig = z.output<typeof timeoutsConfigSchema>;

/** Start-up refuses a config whose overall deadline cannot hold its steps plus the margin. */
export class TimeoutBudgetError extends Error {
  constructor(
    message: string,
    readonly steps: Readonly<Record<string, number>>,
    readonly sumMs: number,
    readonly factor: number,
    readonly requiredMs: number,
    readonly overallMs: number,
  ) {
    super(message);
    this.name = 'TimeoutBudgetError';
  }
}

/**
 * Checks `sessionStartMs >= sum(steps) * marginFactor`; throws TimeoutBudgetError naming every
 * step, its budget, the sum, the factor and the overall deadline otherwise.
 */
export function validateTimeoutBudgets(config: TimeoutsConfig): void {
  const steps = config.steps as Record<string, number>;
  const sumMs = Object.values(steps).reduce((a, b) => a + b, 0);
  const requiredMs = sumMs * config.marginFactor;
  if (config.sessionStartMs >= requiredMs) return;
  const lines = Object.entries(steps).map(([name, ms]) => `  ${name}: ${ms} ms`);
  const message = [
    `timeout budgets are inconsistent: overall session-start deadline ${config.sessionStartMs} ms is less than sum(steps) x ${config.marginFactor} = ${sumMs} ms x ${config.marginFactor} = ${requiredMs} ms`,
    'steps:',
    ...lines,
    `  sum: ${sumMs} ms`,
    `raise sessionStartMs to at least ${Math.ceil(requiredMs)} ms or lower the step budgets`,
  ].join('\n');
  throw new TimeoutBudgetError(message, { ...steps }, sumMs, config.marginFactor, requiredMs, config.sessionStartMs);
}

/** Parses (with defaults) and validates in one go: the start-up entry point. */
export function loadTimeoutsConfig(input: unknown = {}): TimeoutsConfig {
  const config = timeoutsConfigSchema.parse(input);
  validateTimeoutBudgets(config);
  return config;
}
