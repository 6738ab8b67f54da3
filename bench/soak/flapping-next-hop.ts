import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** What the next hop is doing: taking mail, answering 421/451, or not listening at all. */
export type Phase = 'accepting' | 'tempfailing' | 'down';

/** How long each phase lasts, in milliseconds; the next hop cycles through them in this order. */
export type FlapSchedule = Readonly<Record<Phase, number>>;

/** One transaction the next hop accepted: enough of its header to say which message it was. */
export interface Accepted {
  readonly messageId: string | undefined;
  readonly recipients: readonly string[];
  /** performance.now() when the data was accepted. */
  readonly at: number;
  /** PGP/MIME, or a password envelope: the PDF or the web page (src/crypto/envelope-email.ts). */
  readonly encrypted: boolean;
}

export interface FlappingNextHop {
  readonly port: number;
  readonly accepted: Accepted[];
  /** How many times each phase began. */
  readonly phases: Readonly<Record<Phase, number>>;
  /** Stops flapping and stays accepting, so that what is left can drain. */
  steady(): Promise<void>;
  close(): Promise<void>;
}

const HEADER_LIMIT = 64 * 1024;

/**
 * A real SMTP server standing in for the school's onward relay, which flaps: accepting, then answering
 * new sessions 421 and the end of DATA 451, then closing its port and cutting every session (a crash or
 * a restart). Each phase change that takes it down cuts sessions mid-transaction, so the gateways must
 * answer their clients 451, and a message taken just before the cut may be sent again. After `flaps`
 * such cycles it stays up.
 */
export async function startFlappingNextHop(port: number, schedule: FlapSchedule, flaps = Infinity): Promise<FlappingNextHop> {
  const accepted: Accepted[] = [];
  const phases: Record<Phase, number> = { accepting: 1, tempfailing: 0, down: 0 };
  let phase: Phase = 'accepting';
  let server = await listen(
    port,
    options(() => phase, accepted),
  );
  let timer: NodeJS.Timeout | undefined;
  let flapping = true;

  // Phase changes run one after another: a change that is still listening again must finish first.
  let changing = Promise.resolve();
  const enter = (next: Phase) =>
    (changing = changing.then(async () => {
      if (next === phase) return;
      phases[next] += 1;
      if (next === 'down') await server.stop();
      else if (phase === 'down')
        server = await listenAgain(
          port,
          options(() => phase, accepted),
        );
      phase = next;
    }));
  const cycle: Phase[] = ['tempfailing', 'down', 'accepting'];
  let position = 0;
  const scheduleNext = () => {
    timer = setTimeout(() => {
      const next = cycle[position % cycle.length]!;
      position += 1;
      void enter(next).then(() => (flapping && position < flaps * cycle.length ? scheduleNext() : undefined));
    }, schedule[phase]);
  };
  scheduleNext();

  return {
    port,
    accepted,
    phases,
    async steady() {
      flapping = false;
      clearTimeout(timer);
      await enter('accepting');
    },
    async close() {
      flapping = false;
      clearTimeout(timer);
      await changing;
      if (phase !== 'down') await server.stop();
    },
  };
}

interface Listening {
  stop(): Promise<void>;
}

/** Listens on the port it had before; another process may hold it for a moment (a port freed is anyone's). */
async function listenAgain(port: number, serverOptions: SMTPServerOptions): Promise<Listening> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await listen(port, serverOptions);
    } catch (error) {
      if (tries >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Listens on `port`; `stop` closes the port and cuts every open session at once. */
async function listen(port: number, serverOptions: SMTPServerOptions): Promise<Listening> {
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  const sockets = new Set<Socket>();
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        server.server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function options(phase: () => Phase, accepted: Accepted[]): SMTPServerOptions {
  const tempfail = (message: string, code: number) => Object.assign(new Error(message), { responseCode: code });
  return {
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      callback(phase() === 'tempfailing' ? tempfail('busy, try again later', 421) : undefined);
    },
    onData(stream, session, callback) {
      let head = Buffer.alloc(0);
      stream.on('data', (chunk: Buffer) => {
        if (head.length < HEADER_LIMIT) head = Buffer.concat([head, chunk]);
      });
      stream.on('error', () => undefined);
      stream.on('end', () => {
        if (phase() !== 'accepting') return callback(tempfail('queue unavailable, try again later', 451));
        accepted.push({ ...headerFacts(head), recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()), at: performance.now() });
        callback(null, 'queued');
      });
    },
  };
}

/** The Message-ID and whether the message is encrypted, from the header section (folded lines joined). */
export function headerFacts(head: Buffer): { messageId: string | undefined; encrypted: boolean } {
  const text = head.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const header = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const messageId = /^Message-ID:\s*(<[^>\s]+>)/im.exec(header)?.[1];
  const encrypted = /^Content-Type:\s*multipart\/encrypted/im.test(header) || /filename="?secure-message\.(html|pdf)/i.test(text);
  return { messageId, encrypted };
}
