import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/**/*.test.ts', 'services/**/*.test.ts', 'tools/**/*.test.ts', 'tests/**/*.test.ts'],
    // *.servers.test.ts need the machine's servers (Redis, RabbitMQ, SMTP...): .ci/run runs
    // them with HM_SERVERS_TESTS=1; `npm test` must pass with nothing but Node.
    exclude: ['**/node_modules/**', '.data/**', ...(process.env.HM_SERVERS_TESTS ? [] : ['**/*.servers.test.ts'])],
    globalSetup: ['tests/setup/global-postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
