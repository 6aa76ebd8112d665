import { describe, expect, it } from 'vitest';
import { familyFor } from '../../../src/controller/plan/launch-spec.js';
import { TemplateNameSchema } from '../../../src/desired/schema.js';
import { registerTaskDefinitionInput } from '../../../src/sim/ecs-schemas.js';

describe('familyFor', () => {
  it('gives a family ECS accepts for every template name the shared rule allows', () => {
    const hash = 'a'.repeat(16);
    for (const name of ['shell', 'shell.v2', 'a', 'x'.repeat(63), '0-._.-9', 'shell_v2']) {
      expect(TemplateNameSchema.safeParse(name).success, name).toBe(true);
      const family = familyFor(name, hash);
      expect(registerTaskDefinitionInput.shape.family.safeParse(family).success, family).toBe(true);
    }
    expect(familyFor('shell.v2', hash)).toBe(`esr-shell_v2-${hash}`);
  });
});
