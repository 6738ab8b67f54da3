import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most test files wait on real peers (SMTP servers, Redis, PostgreSQL, Chromium) more than they compute,
    // so three files at a time finish sooner than one even on two cores. Each file keeps its own PostgreSQL
    // schema, Redis prefix and ports.
    maxWorkers: 3,
  },
});
