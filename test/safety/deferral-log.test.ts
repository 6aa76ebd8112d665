import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { DeferralLog } from '../../src/controller/safety/deferral-log.js';

function capture() {
  const lines: Array<{ level: 'warn' | 'debug'; fields: Record<string, unknown>; msg: string }> = [];
  return {
    lines,
    log: {
      warn: (fields: object, msg: string) => void lines.push({ level: 'warn', fields: fields as Record<string, unknown>, msg }),
      debug: (fields: object, msg: string) => void lines.push({ level: 'debug', fields: fields as Record<string, unknown>, msg }),
    },
  };
}

describe('DeferralLog', () => {
  it('warns once when deferrals start, then summarises at most once per interval; single deferrals go to debug', async () => {
    const clock = new VirtualClock();
    const { lines, log } = capture();
    const d = new DeferralLog({ clock, log, intervalMs: 60_000 });
    // 100 tasks held by the brake, retried every 5 s for 70 s: 1,500 deferrals.
    for (let t = 0; t < 15; t++) {
      for (let i = 0; i < 100; i++) d.note('brake', `arn:task/${i}`, 'desired-state brake engaged');
      await clock.advance(5000);
    }
    const warns = lines.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(2);
    expect(warns[0]!.msg).toMatch(/^stops are being deferred: desired-state brake engaged/);
    expect(warns[1]!.msg).toMatch(/^1200 stop\(s\) deferred since the last warning/);
    expect(warns[1]!.fields).toMatchObject({ reason: 'brake', deferred: 1200 });
    expect(lines.filter((l) => l.level === 'debug')).toHaveLength(1500 - 2);
  });

  it('keeps one rhythm per reason', () => {
    const { lines, log } = capture();
    const d = new DeferralLog({ clock: new VirtualClock(), log });
    d.note('brake', 'a', 'brake');
    d.note('budget', 'b', 'budget spent');
    d.note('brake', 'c', 'brake');
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.fields['reason'])).toEqual(['brake', 'budget']);
  });
});
