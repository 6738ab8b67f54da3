import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/yaml-file.js';
import { freePort } from '../../src/gateway/free-port.js';
import { startGateway, type GatewaySettings, type RunningGateway } from '../../src/gateway/start-gateway.js';
import { hashPassword } from '../../src/smtp/password-hash.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import { ENTRA_CALLBACK_PATH } from '../../src/web/entra-sign-in.js';
import { gatewaySettings, memoryLog } from '../gateway/support/gateway-settings.js';
import { CLIENT_ID, CLIENT_SECRET, startIdentityProvider, TENANT, type IdentityProvider } from './entra-sign-in-provider.js';

const DPO = 'dpo@stmarys-example.sch.uk';

/** A gateway's settings with Entra ID sign-in against `issuer`, its web port fixed so the redirect URI is known. */
async function entraGateway(issuer: string, webPort: number): Promise<GatewaySettings> {
  const data = join(await mkdtemp(join(tmpdir(), 'hm-entra-serve-')), 'data');
  const store = await openConfiguredStore({ data });
  await store.users.add({ email: DPO, role: 'dpo', passwordHash: await hashPassword('an invented password for this test') });
  await store.close();
  return {
    ...gatewaySettings(data),
    web: { host: '127.0.0.1', port: webPort },
    reviewUrl: `http://127.0.0.1:${webPort}`,
    entraId: { tenantId: TENANT, clientId: CLIENT_ID, issuer },
    entraIdClientSecret: CLIENT_SECRET,
  };
}

describe('Entra ID sign-in in a running gateway', () => {
  let idp: IdentityProvider;
  let gateway: RunningGateway;
  let browser: Browser;
  let origin: string;
  const log = memoryLog();

  beforeAll(async () => {
    const webPort = await freePort();
    origin = `http://127.0.0.1:${webPort}`;
    idp = await startIdentityProvider(`${origin}${ENTRA_CALLBACK_PATH}`, {
      dpo: { tid: TENANT, oid: '5d3f1b2c-8a9e-4c7d-b6a5-1e2f3a4b5c6d', preferred_username: DPO },
      visitor: { tid: TENANT, oid: '6e4a2c3d-9b0f-4d8e-a7b6-2f3a4b5c6d7e', preferred_username: 'visitor@stmarys-example.sch.uk' },
    });
    gateway = await startGateway(await entraGateway(idp.issuer, webPort), log.logger);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await idp?.close();
  });

  async function signInAs(login: string) {
    const page = await browser.newPage();
    await page.goto(`${origin}/sign-in`);
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
    await page.waitForURL(`${idp.issuer}/interaction/**`);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password at the provider');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    return page;
  }

  it('signs a member of staff in from the sign-in page to the quarantine list', async () => {
    const page = await signInAs('dpo');
    await page.waitForURL(`${origin}/quarantine`);
    await expect(page.locator('header.bar').textContent()).resolves.toContain(`${DPO} (dpo)`);
    await page.close();
  });

  it('logs a refusal by its code, never with the address', async () => {
    const page = await signInAs('visitor');
    await page.waitForURL(`${origin}${ENTRA_CALLBACK_PATH}?**`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('There is no Hallmonitor account');
    await expect.poll(() => log.lines.filter((line) => line.code === 'entra-no-account').length).toBe(1);
    expect(JSON.stringify(log.lines)).not.toMatch(/visitor|@stmarys-example/);
    await page.close();
  });
});

describe('Entra ID settings at start', () => {
  it('refuses to start without the client secret, naming the setting and its variable', async () => {
    const { entraIdClientSecret: _secret, ...settings } = await entraGateway('https://login.microsoftonline.com/unused/v2.0', await freePort());
    const started = startGateway(settings, memoryLog().logger);
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/entraIdClientSecret.*HALLMONITOR_ENTRA_CLIENT_SECRET/);
  });

  it('starts without the button when the issuer cannot be reached, and logs why', async () => {
    const log = memoryLog();
    const gateway = await startGateway(await entraGateway(`http://127.0.0.1:${await freePort()}`, await freePort()), log.logger);
    try {
      const signIn = await fetch(`http://127.0.0.1:${gateway.web.port}/sign-in`);
      expect(signIn.status).toBe(200);
      expect(await signIn.text()).not.toContain('Sign in with Microsoft');
      expect(log.lines.find((line) => line.code === 'entra-discovery-failed')).toMatchObject({ level: 50, problem: 'ECONNREFUSED' });
      expect(log.lines.some((line) => line.msg === 'hallmonitor started')).toBe(true);
    } finally {
      await gateway.stop();
    }
  });
});
