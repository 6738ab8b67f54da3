import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** A browser's state as `inject` sees it: cookies by name. */
export class InjectedBrowser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: FastifyInstance) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#keep(await this.app.inject({ method: 'GET', url, cookies: Object.fromEntries(this.cookies) }));
  }

  async post(url: string, form: Record<string, string | string[]>): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) for (const each of [value].flat()) body.append(name, each);
    return this.#keep(
      await this.app.inject({ method: 'POST', url, cookies: Object.fromEntries(this.cookies), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() }),
    );
  }

  /** Signs in through the form, as a person would. */
  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    const form = await this.get('/sign-in');
    return this.post('/sign-in', { _csrf: csrfOf(form.body), email, password });
  }

  /** The form token on a page this browser was given. */
  async tokenFrom(url: string): Promise<string> {
    return csrfOf((await this.get(url)).body);
  }

  #keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string; expires?: Date }[]) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }
}

export function csrfOf(page: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error('no form token on the page');
  return token;
}
