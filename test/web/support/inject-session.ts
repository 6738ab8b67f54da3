import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { TestAuthenticators } from './authenticators.js';

interface KeptCookie {
  readonly value: string;
  /** When the browser drops it, on the browser's clock; undefined for a cookie that lasts the browser session. */
  readonly until?: number;
}

/**
 * A browser's state as `inject` sees it: cookies by name, kept and dropped by the browser's own clock — the
 * clock the web app was given, so a test on a fixed date behaves the same on whatever day it runs.
 */
export class InjectedBrowser {
  readonly #kept = new Map<string, KeptCookie>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly clock: () => Date = () => new Date(),
    /** The people's authenticator apps, for the code after the password. */
    private readonly authenticators?: TestAuthenticators,
    /** Sent with every request, e.g. the `x-forwarded-for` a TLS proxy adds. */
    private readonly headers: Record<string, string> = {},
  ) {}

  /** The cookies the browser would send now. */
  get cookies(): Map<string, string> {
    const now = this.clock().getTime();
    const live = new Map<string, string>();
    for (const [name, cookie] of this.#kept) if (cookie.until === undefined || cookie.until > now) live.set(name, cookie.value);
    return live;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#keep(await this.app.inject({ method: 'GET', url, cookies: Object.fromEntries(this.cookies), headers: this.headers }));
  }

  async post(url: string, form: Record<string, string | string[]>): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) for (const each of [value].flat()) body.append(name, each);
    return this.#keep(
      await this.app.inject({
        method: 'POST',
        url,
        cookies: Object.fromEntries(this.cookies),
        headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      }),
    );
  }

  /**
   * Signs in through the form, as a person would, and, where the app asks, with the code from the account's
   * authenticator. The last answer: the 303 to the quarantine once signed in.
   */
  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    const form = await this.get('/sign-in');
    const answer = await this.post('/sign-in', { _csrf: csrfOf(form.body), email, password });
    if (answer.statusCode !== 303 || !this.authenticators) return answer;
    if (answer.headers.location === '/sign-in/code' && this.authenticators.has(email)) return this.enterCode(this.authenticators.nextCode(email));
    if (answer.headers.location === '/sign-in/enrol') return this.enrol(email);
    return answer;
  }

  /**
   * Sets up an authenticator at the enrolment page as a person would: the setup key read off the page, the code
   * computed from it, the recovery codes kept. The answer: the page that shows them (200).
   */
  async enrol(email: string): Promise<LightMyRequestResponse> {
    const page = await this.get('/sign-in/enrol');
    const secret = /<code id="setup-key">([A-Z2-7 ]+)<\/code>/.exec(page.body)?.[1];
    if (!secret || !this.authenticators) throw new Error('no setup key on the enrolment page');
    const { code, step } = TestAuthenticators.codeAt(secret, this.clock());
    const answer = await this.post('/sign-in/enrol', { _csrf: csrfOf(page.body), code });
    const recoveryCodes = [...answer.body.matchAll(/<li><code>([a-z2-9-]+)<\/code><\/li>/g)].map((match) => match[1]!);
    if (answer.statusCode === 200) this.authenticators.learn(email, secret, recoveryCodes, step);
    return answer;
  }

  /** Types `code` at the second step of sign-in. */
  async enterCode(code: string): Promise<LightMyRequestResponse> {
    return this.post('/sign-in/code', { _csrf: await this.tokenFrom('/sign-in/code'), code });
  }

  /** The form token on a page this browser was given. */
  async tokenFrom(url: string): Promise<string> {
    return csrfOf((await this.get(url)).body);
  }

  /** Sets a cookie as if a response had (for tests that plant one). */
  plant(name: string, value: string): void {
    this.#kept.set(name, { value });
  }

  #keep(response: LightMyRequestResponse): LightMyRequestResponse {
    const now = this.clock().getTime();
    for (const cookie of response.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      // As RFC 6265 §5.3 has it: Max-Age counts from when the browser receives the cookie, and wins over Expires.
      const until = cookie.maxAge !== undefined ? now + cookie.maxAge * 1000 : cookie.expires?.getTime();
      if (cookie.value === '' || (until !== undefined && until <= now)) this.#kept.delete(cookie.name);
      else this.#kept.set(cookie.name, { value: cookie.value, ...(until !== undefined ? { until } : {}) });
    }
    return response;
  }
}

/** Signed in: sent on to the quarantine, or (at a first sign-in that set up an authenticator) shown the recovery codes. */
export function isSignedIn(response: LightMyRequestResponse): boolean {
  return (response.statusCode === 303 && response.headers.location === '/quarantine') || (response.statusCode === 200 && response.body.includes('Your recovery codes'));
}

export function csrfOf(page: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error('no form token on the page');
  return token;
}
