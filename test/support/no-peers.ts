import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { promisify } from 'node:util';

/*
 * The unit tests' promise: they run in seconds because they talk to nothing — no Redis, no database, no SMTP
 * peer, no browser, no program started. Set up for the `unit` project only (vitest.config.ts): a test there that
 * opens a connection, listens on a port or starts a program other than Node itself fails at once, naming what to do, rather than
 * quietly making `npm run test:unit` slow.
 */
function refuse(what: string): never {
  throw new Error(`a unit test may not ${what}: it talks to a real peer, so it belongs with the e2e tests (vitest.config.ts)`);
}

net.Socket.prototype.connect = function connect(): never {
  refuse('open a network connection');
};
net.Server.prototype.listen = function listen(): never {
  refuse('listen on a port');
};
// Node itself may run: the fixture generators are the project's own scripts, and a test checks their output.
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync'] as const) {
  const original = childProcess[name] as (...args: unknown[]) => unknown;
  const guarded = (file: unknown, ...rest: unknown[]) => (file === process.execPath ? original(file, ...rest) : refuse(`start a program (child_process.${name})`));
  // execFile's promised form ({ stdout, stderr }) comes from its util.promisify.custom: keep it, guarded too.
  const promised = (original as { [promisify.custom]?: (...args: unknown[]) => unknown })[promisify.custom];
  if (promised)
    Object.assign(guarded, {
      [promisify.custom]: (file: unknown, ...rest: unknown[]) => (file === process.execPath ? promised(file, ...rest) : refuse(`start a program (child_process.${name})`)),
    });
  Object.defineProperty(childProcess, name, { value: guarded, configurable: true, writable: true });
}
for (const name of ['exec', 'execSync', 'fork'] as const) {
  Object.defineProperty(childProcess, name, { value: () => refuse(`start a program (child_process.${name})`), configurable: true, writable: true });
}
// So that `import { execFile } from 'node:child_process'` sees the guard too, not only the default export.
syncBuiltinESMExports();
