/** One dependency the gateway cannot relay without, and how to see that it answers. */
export interface ReadinessCheck {
  /** Shown by `/readyz` when it fails: `redis`, `store`, `next-hop`. */
  readonly name: string;
  readonly probe: () => Promise<unknown>;
}

export interface Readiness {
  readonly ready: boolean;
  /** The names of the checks that failed or did not answer in time. */
  readonly failing: readonly string[];
}

export interface ReadinessOptions {
  /** A check that has not answered by then has failed (default 3 s). */
  readonly timeoutMs?: number;
  /** A result is reused this long, so probes from several balancers cost one round of checks (default 2 s). */
  readonly reuseMs?: number;
  /** False while the gateway stops: not ready, whatever the checks say. */
  readonly running?: () => boolean;
}

/**
 * `/readyz`: ready when every dependency answers now (Redis for the queues, the store for quarantine and audit,
 * the next hop for delivery), unlike `/healthz`, which says only that the process runs. A balancer or an
 * orchestrator stops sending mail to a gateway that would only answer 451.
 */
export function readinessOf(checks: readonly ReadinessCheck[], options: ReadinessOptions = {}): () => Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const reuseMs = options.reuseMs ?? 2_000;
  let last: { readonly at: number; readonly result: Promise<Readiness> } | undefined;
  return () => {
    if (options.running && !options.running()) return Promise.resolve({ ready: false, failing: ['stopping'] });
    const now = Date.now();
    if (last === undefined || now - last.at >= reuseMs) last = { at: now, result: runChecks(checks, timeoutMs) };
    return last.result;
  };
}

async function runChecks(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<Readiness> {
  const outcomes = await Promise.all(checks.map(async (check) => ((await answersWithin(check.probe, timeoutMs)) ? undefined : check.name)));
  const failing = outcomes.filter((name): name is string => name !== undefined);
  return { ready: failing.length === 0, failing };
}

async function answersWithin(probe: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([
      probe().then(
        () => true,
        () => false,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
