import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runUsers } from '../../src/cli/users-command.js';
import { configSchema } from '../../src/config/config.js';
import { secretsFromEnvironment } from '../../src/config/environment.js';
import { ConfigError } from '../../src/config/yaml-file.js';
import { freePort } from '../../src/gateway/free-port.js';
import { verifyPassword } from '../../src/smtp/password-hash.js';
import { openStore } from '../../src/store/open-store.js';
import { ENTRA_CALLBACK_PATH, EntraSignIn, entraSettings, flowChecks, type EntraProblem } from '../../src/web/entra-sign-in.js';
import { CLIENT_ID, CLIENT_SECRET, OTHER_TENANT, startIdentityProvider, TENANT, type IdentityProvider } from './entra-sign-in-provider.js';
import { ACCOUNTS, createWebSite, type WebSite } from './support/web-site.js';

/** The people the identity provider knows, by the login typed at its own sign-in page. */
/** Invented object ids. */
const OID = {
  dpo: '5d3f1b2c-8a9e-4c7d-b6a5-1e2f3a4b5c6d',
  bursar: '6e4a2c3d-9b0f-4d8e-a7b6-2f3a4b5c6d7e',
  visitor: '7f5b3d4e-0c1a-4e9f-b8c7-3a4b5c6d7e8f',
  impostor: '805c4e5f-1d2b-4fa0-89d8-4b5c6d7e8f90',
  admin: '916d5f60-2e3c-4a1b-9ae9-5c6d7e8f9012',
  recycled: 'a27e6071-3f4d-4b2c-8bfa-6d7e8f901234',
  guest: 'b38f7182-405e-4c3d-9c0b-7e8f90123456',
};

const PROVIDER_ACCOUNTS = {
  // Entra ID often writes the address with capitals; the local account is lower-case.
  dpo: { tid: TENANT, oid: OID.dpo, preferred_username: 'DPO@StMarys-Example.sch.uk' },
  // The same person after the directory renamed them: the object id is what stays.
  'dpo-renamed': { tid: TENANT, oid: OID.dpo, preferred_username: 'dpo.2027@stmarys-example.sch.uk' },
  // The DPO's old username given to someone else in the directory: another object.
  recycled: { tid: TENANT, oid: OID.recycled, preferred_username: ACCOUNTS.dpo },
  // A user principal name that is no local account, with the address that is in the `email` claim.
  bursar: { tid: TENANT, oid: OID.bursar, preferred_username: 'bursar.1@stmarys-example.onmicrosoft.com', email: ACCOUNTS['business-manager'] },
  visitor: { tid: TENANT, oid: OID.visitor, preferred_username: 'visitor@stmarys-example.sch.uk' },
  // The DSL's address, but signed in at another organisation's directory.
  impostor: { tid: OTHER_TENANT, oid: OID.impostor, preferred_username: ACCOUNTS.dsl },
  admin: { tid: TENANT, oid: OID.admin, preferred_username: ACCOUNTS.admin },
  // Invited into the school's tenant (B2B) from another organisation: their home directory authenticated them.
  guest: { tid: TENANT, oid: OID.guest, preferred_username: ACCOUNTS['business-manager'], idp: `https://sts.windows.net/${OTHER_TENANT}/`, acct: 1 },
};

let browser: Browser;
let idp: IdentityProvider;
let origin: string;
let web: WebSite;
let problems: EntraProblem[];

beforeAll(async () => {
  origin = `http://127.0.0.1:${await freePort()}`;
  idp = await startIdentityProvider(`${origin}${ENTRA_CALLBACK_PATH}`, PROVIDER_ACCOUNTS);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
  await idp.close();
});

/** A review app with Entra ID sign-in against the provider, on the port its client was registered with. */
function useWebSite(): void {
  beforeEach(async () => {
    problems = [];
    const entra = new EntraSignIn(
      { tenantId: TENANT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, issuer: new URL(idp.issuer), redirectUri: new URL(`${origin}${ENTRA_CALLBACK_PATH}`) },
      (problem) => problems.push(problem),
    );
    expect(await entra.discover()).toBe(true);
    web = await createWebSite('sqlite', { entraSignIn: entra });
    await web.app.listen({ host: '127.0.0.1', port: Number(new URL(origin).port) });
  });
  afterEach(async () => {
    await web.dispose();
  });
}

/**
 * From the app's sign-in page through the provider's login and consent pages, in a fresh browser. Returns the
 * page and the flow cookie the app set, read while the browser was at the provider.
 */
async function signInAtProvider(login: string, context?: BrowserContext): Promise<{ page: Page; flowCookie: string; callbackStatus: Promise<number | undefined> }> {
  const page = await (context ?? (await browser.newContext())).newPage();
  await page.goto(`${origin}/quarantine`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(`${idp.issuer}/interaction/**`);
  const flowCookie = (await page.context().cookies(origin)).find((cookie) => cookie.name === 'hm_entra');
  expect(flowCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password at the provider');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  // The status of the app's answer at the callback; undefined if the page closed first (no unhandled rejection).
  const callbackStatus = page
    .waitForResponse((response) => response.url().startsWith(`${origin}${ENTRA_CALLBACK_PATH}?`))
    .then(
      (response) => response.status(),
      () => undefined,
    );
  await page.getByRole('button', { name: 'Continue' }).click();
  return { page, flowCookie: flowCookie!.value, callbackStatus };
}

async function sessionCookie(page: Page): Promise<string | undefined> {
  return (await page.context().cookies(origin)).find((cookie) => cookie.name === 'hm_session')?.value;
}

/** Signed out means the quarantine sends the browser back to sign in; the flow cookie is spent either way. */
async function expectSignedOut(page: Page): Promise<void> {
  expect(await sessionCookie(page)).toBeUndefined();
  expect((await page.context().cookies(origin)).map((cookie) => cookie.name)).not.toContain('hm_entra');
  await page.goto(`${origin}/quarantine`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
}

describe('sign-in with Microsoft Entra ID, against a real OpenID Provider, in Chromium', () => {
  useWebSite();

  it('signs in a person whose address has a local account, with that account’s role, and signs out', async () => {
    const { page, callbackStatus } = await signInAtProvider('dpo');
    await page.waitForURL(`${origin}/quarantine`);
    expect(await callbackStatus).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Quarantine');
    await expect(page.locator('header.bar').textContent()).resolves.toContain(`${ACCOUNTS.dpo} (dpo)`);
    // The flow cookie is gone; the session is the ordinary one, with its limits.
    const cookies = await page.context().cookies(origin);
    expect(cookies.map((cookie) => cookie.name).sort()).toEqual(['hm_session']);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/sign-in`);
    await expectSignedOut(page);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('never reads the email claim: a username that names no account is refused even when its email would', async () => {
    const { page, callbackStatus } = await signInAtProvider('bursar');
    expect(await callbackStatus).toBe(403);
    await expectSignedOut(page);
    expect(problems).toEqual([{ code: 'no-account' }]);
    await page.context().close();
  });

  it('binds the account to the Entra ID object at the first sign-in and matches on it afterwards, renamed or not; a recycled username is refused', async () => {
    const first = await signInAtProvider('dpo');
    await first.page.waitForURL(`${origin}/quarantine`);
    await first.page.context().close();
    expect(await web.store.users.findByEntraObject(TENANT, OID.dpo)).toMatchObject({ email: ACCOUNTS.dpo, entraBound: true });
    const audit = await web.site.exec(`SELECT actor, action, reason FROM audit_log WHERE action = 'account-entra-bind'`);
    expect(audit).toEqual([{ actor: ACCOUNTS.dpo, action: 'account-entra-bind', reason: `account ${ACCOUNTS.dpo}: bound to Entra ID object ${OID.dpo} of tenant ${TENANT}` }]);

    const renamed = await signInAtProvider('dpo-renamed');
    await renamed.page.waitForURL(`${origin}/quarantine`);
    await expect(renamed.page.locator('header.bar').textContent()).resolves.toContain(`${ACCOUNTS.dpo} (dpo)`);
    await renamed.page.context().close();

    const recycled = await signInAtProvider('recycled');
    expect(await recycled.callbackStatus).toBe(403);
    await expectSignedOut(recycled.page);
    expect(problems).toEqual([{ code: 'no-account' }]);
    await recycled.page.context().close();
  });

  it('refuses a guest of the tenant unless the account allows guests', async () => {
    const refused = await signInAtProvider('guest');
    expect(await refused.callbackStatus).toBe(403);
    await expect(refused.page.getByRole('alert').textContent()).resolves.toContain('Guests of the school');
    await expectSignedOut(refused.page);
    expect(problems).toEqual([{ code: 'guest' }]);
    await refused.page.context().close();
    expect((await web.store.users.find(ACCOUNTS['business-manager']))?.entraBound).toBe(false);

    await web.store.users.setEntraGuest(ACCOUNTS['business-manager'], true, { actor: 'cli:test', reason: 'visiting auditor' });
    const allowed = await signInAtProvider('guest');
    await allowed.page.waitForURL(`${origin}/quarantine`);
    await expect(allowed.page.locator('header.bar').textContent()).resolves.toContain(`${ACCOUNTS['business-manager']} (business-manager)`);
    await allowed.page.context().close();
  });

  it('refuses a person with no local account: a clear page and no session', async () => {
    const { page, callbackStatus } = await signInAtProvider('visitor');
    expect(await callbackStatus).toBe(403);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('There is no Hallmonitor account for that Microsoft account');
    await expectSignedOut(page);
    expect(problems).toEqual([{ code: 'no-account' }]);
    await page.context().close();
  });

  it('refuses a disabled account', async () => {
    await web.store.users.disable(ACCOUNTS.admin, { actor: 'cli:test' });
    const { page, callbackStatus } = await signInAtProvider('admin');
    expect(await callbackStatus).toBe(403);
    await expectSignedOut(page);
    await page.context().close();
  });

  it("refuses another organisation's account even when its address is a local account's", async () => {
    const { page, callbackStatus } = await signInAtProvider('impostor');
    expect(await callbackStatus).toBe(403);
    await expect(page.getByRole('alert').textContent()).resolves.toContain("does not belong to this school's organisation");
    await expectSignedOut(page);
    expect(problems).toEqual([{ code: 'wrong-tenant' }]);
    await page.context().close();
  });

  it('refuses a callback whose state was tampered with on the way: no session', async () => {
    const context = await browser.newContext();
    // Playwright routes only the first request of a redirect chain: the button's, whose 303 carries the state out.
    await context.route(`${origin}/sign-in/entra`, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      const location = new URL(response.headers().location ?? '');
      const state = location.searchParams.get('state') ?? '';
      location.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
      await route.fulfill({ response, headers: { ...response.headers(), location: location.href } });
    });
    const { page, callbackStatus } = await signInAtProvider('dpo', context);
    expect(await callbackStatus).toBe(400);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Microsoft did not complete the sign-in');
    await expectSignedOut(page);
    expect(problems).toEqual([{ code: 'response-refused', detail: 'OAUTH_INVALID_RESPONSE' }]);
    await context.close();
  });

  it('refuses a replayed callback, even with the flow cookie copied: the code was redeemed', async () => {
    const context = await browser.newContext();
    const callbacks: string[] = [];
    context.on('request', (request) => {
      if (request.url().startsWith(`${origin}${ENTRA_CALLBACK_PATH}?`)) callbacks.push(request.url());
    });
    const { page, flowCookie } = await signInAtProvider('dpo', context);
    await page.waitForURL(`${origin}/quarantine`);
    const [callback] = callbacks;
    expect(callback).toBeDefined();
    // The same browser again: the flow cookie was cleared at the first callback.
    expect((await page.goto(callback!))?.status()).toBe(400);
    await context.close();

    const other = await browser.newContext();
    await other.addCookies([{ name: 'hm_entra', value: flowCookie, url: origin }]);
    const replay = await other.newPage();
    expect((await replay.goto(callback!))?.status()).toBe(400);
    await expectSignedOut(replay);
    expect(problems).toEqual([{ code: 'no-flow' }, { code: 'response-refused', detail: 'invalid_grant' }]);
    await other.close();
  });
});

describe('the flow, without a browser', () => {
  useWebSite();

  it('sends the browser to the issuer with PKCE (S256), state and nonce derived from an HttpOnly, Lax, ten-minute cookie', async () => {
    const response = await web.app.inject({ method: 'GET', url: '/sign-in/entra' });
    expect(response.statusCode).toBe(303);
    const cookie = (response.cookies as { name: string; value: string; httpOnly?: boolean; sameSite?: string; maxAge?: number }[]).find((each) => each.name === 'hm_entra');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', maxAge: 600 });
    const location = new URL(String(response.headers.location));
    const checks = flowChecks(cookie!.value);
    expect(`${location.origin}${location.pathname}`).toBe(`${idp.issuer}/auth`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: CLIENT_ID,
      redirect_uri: `${origin}${ENTRA_CALLBACK_PATH}`,
      response_type: 'code',
      scope: 'openid profile email',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: createHash('sha256').update(checks.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
  });

  it('refuses a callback without the flow cookie before asking the provider anything, and starts no session', async () => {
    const response = await web.app.inject({ method: 'GET', url: `${ENTRA_CALLBACK_PATH}?code=invented&state=invented` });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('This sign-in has expired or was already used');
    expect((response.cookies as { name: string; value: string }[]).filter((cookie) => cookie.value !== '')).toEqual([]);
    expect(problems).toEqual([{ code: 'no-flow' }]);
  });
});

describe('when the issuer cannot be reached', () => {
  it('reports it, hides the button and answers the button’s route with a page, without stopping the app', async () => {
    const reported: EntraProblem[] = [];
    const closedPort = await freePort();
    const entra = new EntraSignIn(
      {
        tenantId: TENANT,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        issuer: new URL(`http://127.0.0.1:${closedPort}`),
        redirectUri: new URL(`${origin}${ENTRA_CALLBACK_PATH}`),
      },
      (problem) => reported.push(problem),
    );
    expect(await entra.discover()).toBe(false);
    expect(reported).toEqual([{ code: 'discovery-failed', detail: 'ECONNREFUSED' }]);
    const site = await createWebSite('sqlite', { entraSignIn: entra });
    try {
      const signInPage = await site.app.inject({ method: 'GET', url: '/sign-in' });
      expect(signInPage.statusCode).toBe(200);
      expect(signInPage.body).toContain('name="password"');
      expect(signInPage.body).not.toContain('Sign in with Microsoft');
      const button = await site.app.inject({ method: 'GET', url: '/sign-in/entra' });
      expect(button.statusCode).toBe(503);
      expect(button.body).toContain('Sign-in with Microsoft is not available at the moment');
    } finally {
      await site.dispose();
    }
  });

  it('shows the button once the issuer answers again, asking at most once a minute', async () => {
    const port = await freePort();
    const entra = new EntraSignIn({
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      issuer: new URL(`http://localhost:${port}`),
      redirectUri: new URL(`${origin}${ENTRA_CALLBACK_PATH}`),
    });
    expect(await entra.discover()).toBe(false);
    const late = await startIdentityProvider(`${origin}${ENTRA_CALLBACK_PATH}`, {}, port);
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now');
    try {
      clock.mockReturnValue(start + 30_000);
      expect(entra.available).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(entra.available).toBe(false);
      clock.mockReturnValue(start + 61_000);
      await vi.waitFor(() => expect(entra.available).toBe(true));
    } finally {
      clock.mockRestore();
      await late.close();
    }
  });
});

describe('its settings', () => {
  const ENTRA = { tenantId: TENANT.toUpperCase(), clientId: CLIENT_ID };
  const WEB = { host: '127.0.0.1', port: 8080 };

  it('are off without entraId, and need a client secret with it, from the file or HALLMONITOR_ENTRA_CLIENT_SECRET', () => {
    expect(entraSettings({ web: WEB })).toBeUndefined();
    expect(() => entraSettings({ entraId: ENTRA, web: WEB })).toThrow(ConfigError);
    expect(() => entraSettings({ entraId: ENTRA, web: WEB })).toThrow(/entraIdClientSecret.*HALLMONITOR_ENTRA_CLIENT_SECRET/);
    expect(secretsFromEnvironment({ HALLMONITOR_ENTRA_CLIENT_SECRET: CLIENT_SECRET })).toEqual({ entraIdClientSecret: CLIENT_SECRET });
  });

  it("default to the tenant's Microsoft issuer and take the redirect URI from reviewUrl", () => {
    const settings = entraSettings({ entraId: ENTRA, entraIdClientSecret: CLIENT_SECRET, reviewUrl: 'https://review.stmarys-example.sch.uk/', web: WEB });
    expect(settings?.tenantId).toBe(TENANT);
    expect(settings?.issuer.href).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(settings?.redirectUri.href).toBe('https://review.stmarys-example.sch.uk/sign-in/entra/callback');
    expect(entraSettings({ entraId: ENTRA, entraIdClientSecret: CLIENT_SECRET, web: WEB })?.redirectUri.href).toBe('http://127.0.0.1:8080/sign-in/entra/callback');
  });

  it('are validated when read, naming the field', () => {
    const issue = (entraId: unknown) => configSchema.safeParse({ entraId }).error?.issues[0];
    expect(configSchema.safeParse({ entraId: { ...ENTRA, issuer: 'http://localhost:9000' } }).success).toBe(true);
    expect(issue({ ...ENTRA, tenantId: 'stmarys-example.onmicrosoft.com' })).toMatchObject({
      path: ['entraId', 'tenantId'],
      message: 'expected the Directory (tenant) ID, a GUID',
    });
    expect(issue({ ...ENTRA, clientId: 'hallmonitor' })).toMatchObject({ path: ['entraId', 'clientId'] });
    expect(issue({ ...ENTRA, issuer: 'http://login.example.org/v2.0' })).toMatchObject({ path: ['entraId', 'issuer'], message: expect.stringContaining('https://') });
    expect(issue({ ...ENTRA, secret: CLIENT_SECRET })).toMatchObject({ path: ['entraId'] });
  });
});

describe('hallmonitor users add --entra', () => {
  it('makes an account that signs in only with Entra ID: no password is read, and none will ever match', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hm-entra-users-'));
    const add = (args: string[]) => runUsers(['add', ...args, '--data', dataDir], () => {}, (async function* () {})());
    try {
      expect(await add(['head@stmarys-example.sch.uk', '--role', 'dsl', '--entra'])).toBe(0);
      await expect(add(['deputy@stmarys-example.sch.uk', '--role', 'dsl', '--entra', '--password-stdin'])).rejects.toMatchObject({ code: 'usage' });
      await expect(add(['deputy@stmarys-example.sch.uk', '--role', 'dsl'])).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('--entra') });
      const store = await openStore({ dataDir });
      try {
        const found = await store.users.credentials('head@stmarys-example.sch.uk');
        expect(found?.user).toMatchObject({ role: 'dsl', disabled: false });
        expect(found?.passwordHash).toMatch(/^scrypt\$/);
        expect(await verifyPassword('', found!.passwordHash)).toBe(false);
        expect(await store.users.credentials('deputy@stmarys-example.sch.uk')).toBeUndefined();
      } finally {
        await store.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
