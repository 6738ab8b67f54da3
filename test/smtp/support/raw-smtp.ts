import { connect, type Socket } from 'node:net';

/** A bare SMTP client for sending exactly the bytes a test needs, including malformed ones. */
export class RawSmtp {
  private buffered = '';
  private readonly replies: string[] = [];
  private readonly waiting: Array<(reply: string) => void> = [];
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => this.receive(text));
    socket.on('close', () => this.onClose());
    socket.on('error', () => undefined);
  }

  /**
   * Connects, sends `preamble` first if given (e.g. a PROXY header), and returns the client with its greeting reply.
   * `from` is the local address to connect from: any of 127.0.0.0/8 on Linux, to play another peer.
   */
  static async open(port: number, preamble?: string, from?: string): Promise<{ client: RawSmtp; greeting: string }> {
    const socket = connect({ port, host: '127.0.0.1', ...(from ? { localAddress: from } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawSmtp(socket);
    if (preamble !== undefined) client.write(preamble);
    return { client, greeting: await client.reply() };
  }

  /** Sends one command line (CRLF added) and waits for its reply. */
  async command(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  write(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** The next complete reply (all its lines); `closed` if the server hung up first. */
  reply(): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.closed) return Promise.resolve('closed');
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Resolves once the server has closed the connection. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(text: string): void {
    this.buffered += text;
    for (;;) {
      const end = finalLineEnd(this.buffered);
      if (end === -1) return;
      this.deliver(this.buffered.slice(0, end));
      this.buffered = this.buffered.slice(end + 2);
    }
  }

  private deliver(reply: string): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(reply);
    else this.replies.push(reply);
  }

  private onClose(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter('closed');
  }
}

// A reply ends with a line "NNN text" (a space, not a hyphen, after the code: RFC 5321 section 4.2.1).
function finalLineEnd(buffered: string): number {
  let start = 0;
  for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n', start)) {
    if (/^\d{3}(?: |$)/.test(buffered.slice(start, end))) return end;
    start = end + 2;
  }
  return -1;
}
