// A queue worker in a process of its own, from the built code (`npm run build`), for a test to SIGKILL mid-job.
// Environment: REDIS_URL, PREFIX, NEXT_HOP (smtp://…), SPOOL (a directory), LOCK_MS, STORE_KEY (hex: seals the jobs).
import { smtpNextHop } from '../../../dist/src/delivery/next-hop.js';
import { queueConnection } from '../../../dist/src/queue/job-seal.js';
import { mailSender } from '../../../dist/src/queue/mail-sender.js';
import { startQueueWorkers } from '../../../dist/src/queue/queue-workers.js';

const { REDIS_URL, PREFIX, NEXT_HOP, SPOOL, LOCK_MS, STORE_KEY } = process.env;
const send = mailSender(smtpNextHop(NEXT_HOP), 'postmaster@stmarys-example.sch.uk');
await startQueueWorkers(queueConnection(REDIS_URL, Buffer.from(STORE_KEY, 'hex')), { send }, { prefix: PREFIX, lockDurationMs: Number(LOCK_MS), stalledIntervalMs: Number(LOCK_MS) });
process.stdout.write('ready\n');
