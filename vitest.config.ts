import { configDefaults, defineConfig } from 'vitest/config';

/*
 * Two projects. `unit`: the pure stages — detection, rosters, the policy, configuration and the evaluation over
 * the labelled corpus — which talk to no peer (test/support/no-peers.ts holds them to it) and run in seconds.
 * `e2e`: everything that reads real files made by real tools or talks to real peers (SMTP servers, Redis,
 * PostgreSQL, Chromium, gpg, qpdf), and the real-mail corpus, which takes minutes. `npm test` runs both;
 * `npm run test:unit` is the one to run while working on a stage.
 */
const UNIT = ['test/{detect,roster,policy,config,errors,architecture}/**/*.test.ts', 'test/eval/!(realmail).test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most test files wait on real peers (SMTP servers, Redis, PostgreSQL, Chromium) more than they compute,
    // so three files at a time finish sooner than one even on two cores. Each file keeps its own PostgreSQL
    // schema, Redis prefix and ports.
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, setupFiles: ['test/support/no-peers.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...UNIT] } },
    ],
  },
});
