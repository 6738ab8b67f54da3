import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfigFile, schoolSources } from '../../src/config/config.js';
import { freePort } from '../../src/gateway/free-port.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { scanMessage } from '../../src/scan/scan-message.js';
import { loadTenants, resolveSchool, type Tenants } from '../../src/scan/tenants.js';
import { Children } from '../relay/children.js';
import { account, proofFails, type Accounting, type SeenAction, type SentMessage } from './accounting.js';
import { startDeployment, type Deployment, type Gateway } from './deployment.js';
import { holdsByKey, sortAccepted, waitForQueues, type GatewayMail, type QueueState } from './final-state.js';
import { startFlappingNextHop, type FlapSchedule, type FlappingNextHop, type Phase } from './flapping-next-hop.js';
import { seededRandom } from '../seeded-random.js';
import { drawMix, loadTemplates, SCHOOL_DOMAIN, type MixKind, type SoakMessage } from './mix.js';
import { sendAll, type ClientOptions } from './scripted-client.js';
import { sendWithSmtpSource, type SourceShare } from './smtp-source-load.js';

export interface SoakOptions {
  /** Messages in all, smtp-source's share included. */
  readonly count: number;
  readonly seed: number;
  /** smtp-source's share of `count`. */
  readonly sourceShare: number;
  readonly flap: FlapSchedule;
  /** Cycles of accepting, tempfailing and down before the next hop stays up; Infinity: it flaps until the load is done. */
  readonly flaps: number;
  /** How long the killed gateway stays down before it is started again. */
  readonly killPauseMillis: number;
  readonly client: Omit<ClientOptions, 'ports' | 'random'>;
  /** How long to wait for notices and alerts to drain once the load is done. */
  readonly settleMillis: number;
  readonly log: (line: string) => void;
}

export const DEFAULT_OPTIONS: Omit<SoakOptions, 'count' | 'seed' | 'log'> = {
  sourceShare: 0.1,
  flap: { accepting: 8_000, tempfailing: 2_000, down: 2_000 },
  flaps: Infinity,
  killPauseMillis: 3_000,
  client: { concurrency: 12, maxAttempts: 25, firstBackoffMillis: 250, maxBackoffMillis: 4_000, timeoutMillis: 60_000 },
  // Notices and alerts retry with a backoff of 30 s doubling (src/queue/mail-queue.ts): 8 min covers four failed tries.
  settleMillis: 480_000,
};

export interface SoakResult {
  readonly accounting: Accounting;
  readonly failed: boolean;
  readonly seconds: number;
  readonly mix: ReadonlyMap<MixKind, number>;
  readonly withAttachment: number;
  readonly phases: Readonly<Record<Phase, number>>;
  readonly kill: { readonly afterMessages: number; readonly atSecond: number };
  readonly gatewayMail: GatewayMail;
  readonly queues: QueueState;
  readonly peakRss: readonly { readonly name: string; readonly bytes: number }[];
  /** The machine's 1-minute load average when the load began and ended: other work on it slows the soak. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  /** Where the gateways' logs were kept, when the proof failed. */
  readonly keptFolder?: string;
}

/**
 * The soak: two gateways, a flapping next hop, smtp-source and a retrying client, one gateway
 * killed with SIGKILL and restarted; then the accounting of every message by its key.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const random = seededRandom(options.seed);
  const sourceCount = Math.round(options.count * options.sourceShare);
  const messages = drawMix(await loadTemplates(), options.count - sourceCount, options.seed);
  const shares = await sourceShares(sourceCount);
  const children = new Children();
  const folder = await mkdtemp(join(tmpdir(), 'hm-soak-'));
  const nextHop = await startFlappingNextHop(await freePort(), options.flap, options.flaps);
  let deployment: Deployment | undefined;
  let failed = true;
  const sampler = setInterval(() => deployment?.sampleRss(), 1_000);
  try {
    deployment = await startDeployment(children, folder, nextHop.port);
    options.log(`sending ${messages.length} messages with the scripted client to both gateways and ${sourceCount} with smtp-source to gateway a…`);
    const load = await driveLoad(children, deployment, nextHop, messages, shares, options, random);
    options.log(`load done in ${load.seconds.toFixed(1)} s; the next hop stops flapping, waiting for notices and alerts…`);
    await nextHop.steady();
    const queues = await waitForQueues(deployment, options.settleMillis);
    const sentKeys = new Set(load.sent.map((message) => message.key));
    const { deliveries, gatewayMail } = sortAccepted(nextHop.accepted, sentKeys);
    const accounting = account(load.sent, deliveries, await holdsByKey(deployment, join(folder, 'accounting'), sentKeys));
    failed = proofFails(accounting);
    const mix = new Map<MixKind, number>();
    for (const message of messages) mix.set(message.kind, (mix.get(message.kind) ?? 0) + 1);
    return {
      ...load,
      accounting,
      failed,
      mix,
      withAttachment: messages.filter((message) => message.withAttachment).length,
      phases: { ...nextHop.phases },
      gatewayMail,
      queues,
      peakRss: deployment.gateways.map((gateway) => ({ name: gateway.name, bytes: gateway.peakRss })),
      ...(failed ? { keptFolder: folder } : {}),
    };
  } finally {
    clearInterval(sampler);
    await deployment?.stop();
    await children.stopAll();
    await nextHop.close();
    if (!failed) await rm(folder, { recursive: true, force: true });
  }
}

/** Both senders at once, gateway b killed and restarted on the way; every try of every message, timed. */
async function driveLoad(
  children: Children,
  deployment: Deployment,
  nextHop: FlappingNextHop,
  messages: readonly SoakMessage[],
  shares: readonly SourceShare[],
  options: SoakOptions,
  random: () => number,
): Promise<Pick<SoakResult, 'seconds' | 'kill' | 'loadAverage'> & { sent: SentMessage[] }> {
  const [a, b] = deployment.gateways as [Gateway, Gateway];
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const client = sendAll(messages, { ...options.client, ports: [a.port, b.port], random });
  const killAfter = Math.floor(messages.length * (0.3 + 0.4 * random()));
  const chaos = killAndRestart(deployment, b, () => client.finished() >= killAfter, options.killPauseMillis, client.done);
  const progress = setInterval(() => options.log(`  ${client.finished()}/${messages.length} finished, ${nextHop.accepted.length} accepted at the next hop`), 10_000);
  try {
    const [sourced] = await Promise.all([Promise.all(shares.map((share) => sendWithSmtpSource(children, a.port, share))), client.done]);
    const killedAt = await chaos;
    const sent: SentMessage[] = [
      ...messages.map((message) => ({ key: message.key, sender: 'client' as const, expected: message.expected, attempts: client.attempts.get(message.key) ?? [] })),
      ...sourced.flat(),
    ];
    return {
      sent,
      seconds: (performance.now() - started) / 1000,
      kill: { afterMessages: killAfter, atSecond: (killedAt - started) / 1000 },
      loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    };
  } finally {
    clearInterval(progress);
  }
}

/** SIGKILL `gateway` once `due()` (or when the load ends first), then start it again on its port after a pause. */
async function killAndRestart(deployment: Deployment, gateway: Gateway, due: () => boolean, pauseMillis: number, loadDone: Promise<void>): Promise<number> {
  let loadOver = false;
  void loadDone.then(() => (loadOver = true));
  while (!due() && !loadOver) await new Promise((resolve) => setTimeout(resolve, 50));
  const at = performance.now();
  await deployment.kill(gateway);
  await new Promise((resolve) => setTimeout(resolve, pauseMillis));
  await deployment.restart(gateway);
  return at;
}

/** smtp-source sends one message at a time per process (-s 1), so its share is spread over processes of this many. */
const MESSAGES_PER_SOURCE_PROCESS = 150;

/**
 * smtp-source's share: half clean, a quarter naming a pupil in the subject, a quarter swearing in it; the
 * actions each should get come from scanning the same message with the fixture school.
 */
async function sourceShares(count: number): Promise<SourceShare[]> {
  const configPath = join(PACKAGE_ROOT, 'fixtures/school.yaml');
  const tenants = await loadTenants(schoolSources(await loadConfigFile(configPath), configPath));
  const from = `thomas.greaves@${SCHOOL_DOMAIN}`;
  const plans = [
    { name: 'clean', subject: 'Parents evening rota', to: 'clean.parent', messages: count - 2 * Math.floor(count / 4) },
    { name: 'pupil name', subject: 'Kwame Mensah - reading progress', to: 'names.parent', messages: Math.floor(count / 4) },
    { name: 'swearing', subject: 'Re: the sh*t printer', to: 'swearing.colleague', messages: Math.floor(count / 4) },
  ];
  const shares: SourceShare[] = [];
  for (const plan of plans) {
    const expected = [await actionFor(tenants, from, `${plan.to}@example.org`, plan.subject)];
    for (let first = 0, part = 0; first < plan.messages; first += MESSAGES_PER_SOURCE_PROCESS, part += 1) {
      const messages = Math.min(MESSAGES_PER_SOURCE_PROCESS, plan.messages - first);
      shares.push({ ...plan, from, to: `${plan.to}.p${part}@example.org`, messages, expected });
    }
  }
  return shares;
}

async function actionFor(tenants: Tenants, from: string, to: string, subject: string): Promise<SeenAction> {
  const { school, detectors } = resolveSchool(tenants, from);
  const raw = Buffer.from(`From: <${from}>\r\nTo: <${to}>\r\nSubject: ${subject}\r\n\r\n${'X'.repeat(78)}\r\n`);
  const action = (await scanMessage(raw, school, detectors, { mailFrom: from, rcptTo: [to] })).verdict.action;
  return action === 'deliver' || action === 'encrypt' || action === 'quarantine' ? action : 'return';
}
