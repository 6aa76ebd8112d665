/** Integer option parsing shared by the CLI verbs. */
import { InvalidArgumentError } from 'commander';

/** A commander option parser accepting integers in [min, max]; the error names the option and the range. */
export function intOption(name: string, min: number, max: number): (v: string) => number {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}]`);
    return n;
  };
}
