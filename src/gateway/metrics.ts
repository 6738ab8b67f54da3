import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the queue workers count, in serve and in `hallmonitor worker` alike. */
export interface WorkerMetrics {
  readonly registry: Registry;
  /** Queue jobs refused because their seal did not verify (forged or altered in Redis), by queue and reason. */
  readonly refusedJobs: Counter<'queue' | 'reason'>;
  /** Job attempts that failed, by queue and whether it was the last (the job is then kept as failed). */
  readonly jobFailures: Counter<'queue' | 'final'>;
  /** Counts jobs that failed for good (notices, alerts, releases), read from Redis when scraped. */
  watchFailedJobs(count: () => Promise<number>): void;
}

/** What `/metrics` shows operators: counts and latencies, never content. */
export interface GatewayMetrics extends WorkerMetrics {
  readonly messages: Counter<'action' | 'code'>;
  readonly scanSeconds: Histogram;
  readonly actSeconds: Histogram<'action'>;
  readonly faults: Counter<'stage'>;
  readonly nextHopErrors: Counter<'code'>;
  /** Every refusal, before DATA and after it, by its reason (smtp-replies.ts), like Postfix's `NOQUEUE: reject`. */
  readonly refusals: Counter<'reason'>;
  /** TLS handshakes and connections that failed below SMTP, by error code. */
  readonly connectionErrors: Counter<'code'>;
  /** Audit entries of answered messages not yet committed (the store slow or away); never dropped. */
  watchPendingAudit(count: () => number): void;
}

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The worker's metrics, with the process's own (memory, CPU, event loop lag), for `hallmonitor worker`'s listener. */
export function createWorkerMetrics(registry = processRegistry()): WorkerMetrics {
  return {
    registry,
    refusedJobs: new Counter({
      name: 'hallmonitor_queue_jobs_refused_total',
      help: 'Queue jobs refused unopened because their signature did not verify (forged or altered in Redis)',
      labelNames: ['queue', 'reason'],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'hallmonitor_queue_job_failures_total',
      help: 'Queue job attempts that failed, by queue and whether it was the last',
      labelNames: ['queue', 'final'],
      registers: [registry],
    }),
    watchFailedJobs(count) {
      new Gauge({
        name: 'hallmonitor_queue_failed_jobs',
        help: 'Jobs that failed for good and are kept for an operator to see (notices, alerts, releases)',
        registers: [registry],
        async collect() {
          this.set(await count().catch(() => Number.NaN));
        },
      });
    },
  };
}

function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hallmonitor_' });
  return registry;
}

export function createGatewayMetrics(): GatewayMetrics {
  const workers = createWorkerMetrics();
  const { registry } = workers;
  return {
    ...workers,
    messages: new Counter({ name: 'hallmonitor_messages_total', help: 'Messages answered, by verdict and SMTP reply code', labelNames: ['action', 'code'], registers: [registry] }),
    scanSeconds: new Histogram({ name: 'hallmonitor_scan_seconds', help: 'Time to read, scan and decide one message', buckets: LATENCY_BUCKETS, registers: [registry] }),
    actSeconds: new Histogram({
      name: 'hallmonitor_act_seconds',
      help: 'Time to act on a verdict (delivery to the next hop included)',
      labelNames: ['action'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    nextHopErrors: new Counter({
      name: 'hallmonitor_next_hop_errors_total',
      help: 'Deliveries the next hop did not accept, by the reply given to the client',
      labelNames: ['code'],
      registers: [registry],
    }),
    watchPendingAudit(count) {
      new Gauge({
        name: 'hallmonitor_audit_pending_entries',
        help: 'Audit entries of answered messages waiting for the store; kept and retried, never dropped',
        registers: [registry],
        collect() {
          this.set(count());
        },
      });
    },
    faults: new Counter({ name: 'hallmonitor_faults_total', help: 'Messages tempfailed by an internal fault, by stage', labelNames: ['stage'], registers: [registry] }),
    refusals: new Counter({ name: 'hallmonitor_refusals_total', help: 'SMTP commands and messages refused, by reason', labelNames: ['reason'], registers: [registry] }),
    connectionErrors: new Counter({
      name: 'hallmonitor_connection_errors_total',
      help: 'Failed TLS handshakes and broken connections, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
  };
}
