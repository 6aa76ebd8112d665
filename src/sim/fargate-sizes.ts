/**
 * The task sizes Fargate supports (Amazon ECS Developer Guide, "Task CPU and memory": each CPU
 * value allows a memory range in fixed increments). RegisterTaskDefinition with FARGATE
 * compatibility and any other combination fails with ClientException "No Fargate configuration
 * exists for given values: <cpu> CPU, <memory> memory." (HTTP 400).
 */

/** CPU units -> allowed memory (MiB): from, to (inclusive), step. */
const FARGATE_SIZES: ReadonlyArray<readonly [cpu: number, from: number, to: number, step: number]> = [
  [256, 512, 512, 512],
  [256, 1024, 2048, 1024],
  [512, 1024, 4096, 1024],
  [1024, 2048, 8192, 1024],
  [2048, 4096, 16384, 1024],
  [4096, 8192, 30720, 1024],
  [8192, 16384, 61440, 4096],
  [16384, 32768, 122880, 8192],
];

/** True when Fargate runs a task of `cpu` units and `memory` MiB (both as ECS sends them: decimal strings). */
export function isFargateSize(cpu: string | undefined, memory: string | undefined): boolean {
  const c = Number(cpu);
  const m = Number(memory);
  return FARGATE_SIZES.some(([cpuUnits, from, to, step]) => c === cpuUnits && m >= from && m <= to && (m - from) % step === 0);
}
