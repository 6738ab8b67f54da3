/**
 * A scan pool's worker thread (scan-pool.ts): loads every school once, from the same sources as
 * the gateway, then scans the messages posted to it one at a time, in order, and reports plain data.
 */
import { errorCode } from '../errors/hallmonitor-error.js';
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { SchoolSources } from '../config/school-sources.js';
import { scanMessage } from './scan-message.js';
import type { ScanTask, WorkerReport } from './scan-task.js';
import { loadTenants, resolveSchool, type Tenants } from './tenants.js';

const port = parentPort;
if (port === null) throw new Error('scan-worker.js runs only as a worker thread of a scan pool');

function report(message: WorkerReport): void {
  port!.postMessage(message);
}

async function scan(tenants: Tenants, task: ScanTask): Promise<void> {
  try {
    const loaded = resolveSchool(tenants, task.schoolAddress);
    const source = typeof task.message === 'string' ? createReadStream(task.message) : Buffer.from(task.message.buffer, task.message.byteOffset, task.message.byteLength);
    const result = await scanMessage(source, loaded.school, loaded.detectors, task.envelope);
    report({ kind: 'scanned', id: task.id, result });
  } catch (error) {
    report({ kind: 'scan-failed', id: task.id, code: errorCode(error) });
  }
}

try {
  const tenants = await loadTenants(workerData as readonly SchoolSources[]);
  // One scan at a time, in the order posted: the pool counts the first unanswered task as the one in hand.
  let previous = Promise.resolve();
  port.on('message', (task: ScanTask) => {
    previous = previous.then(() => scan(tenants, task));
  });
  report({ kind: 'ready' });
} catch (error) {
  report({ kind: 'load-failed', code: errorCode(error), message: error instanceof Error ? error.message : String(error) });
  port.close();
}
