import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-build.ts', 'test/support/global-redis.ts'],
    // Generous bounds: tests wait on conditions with their own timeouts; these only catch a hang,
    // and must not fire on a loaded machine (spawned daemons, 2 cores shared with other work).
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The AWS SDK warns on Node 20 that its 2027 releases need Node 22+; in test output
    // (and in the daemons tests spawn) it is only noise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
