// A real scan worker (the build under dist/) that dies or hangs mid-scan on request, so that the
// pool's recovery is tested against real worker threads. A message whose bytes contain
// X-Test-Fault: crash ends the thread; X-Test-Fault: hang spins forever. Others scan normally.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (task) => {
  const text = typeof task.message === 'string' ? '' : Buffer.from(task.message).toString('latin1');
  if (text.includes('X-Test-Fault: crash')) process.exit(70);
  if (text.includes('X-Test-Fault: hang')) for (;;);
});

await import(new URL('../../../dist/src/scan/scan-worker.js', import.meta.url).href);
