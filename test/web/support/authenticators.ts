import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import type { Store } from '../../../src/store/store.js';
import { newTotpSecret } from '../../../src/web/totp.js';

interface Enrolled {
  readonly secret: string;
  lastStep: number;
  readonly recoveryCodes: string[];
}

/**
 * The authenticator apps of a test's people: each account's TOTP secret, the codes computed from it with otpauth
 * (as a phone would), never one of a step already used, and the recovery codes once the steps a server accepts
 * now are spent.
 */
export class TestAuthenticators {
  readonly #enrolled = new Map<string, Enrolled>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** Enrols an account directly in the store, as if it had done so at an earlier sign-in. */
  async enrol(store: Pick<Store, 'users'>, email: string): Promise<void> {
    const secret = await store.users.enrolmentSecret(email, newTotpSecret);
    const recoveryCodes = await store.users.finishEnrolment(email, 0);
    if (!recoveryCodes) throw new Error(`could not enrol ${email}`);
    this.learn(email, secret, recoveryCodes, 0);
  }

  /** Keeps what an enrolment through the page gave: the secret from its setup key, the recovery codes it showed. */
  learn(email: string, secret: string, recoveryCodes: readonly string[], lastStep: number): void {
    this.#enrolled.set(email.toLowerCase(), { secret: secret.replace(/\s/g, ''), lastStep, recoveryCodes: [...recoveryCodes] });
  }

  has(email: string): boolean {
    return this.#enrolled.has(email.toLowerCase());
  }

  /** The code the app would show now for `secret`, and its time step. */
  static codeAt(secret: string, at: Date, stepOffset = 0): { code: string; step: number } {
    const totp = new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '')), algorithm: 'SHA1', digits: 6, period: 30 });
    const step = totp.counter({ timestamp: at.getTime() }) + stepOffset;
    return { code: totp.generate({ timestamp: step * 30_000 }), step };
  }

  /** A code the server will take: the earliest unused step it accepts now (one either side), else a recovery code. */
  nextCode(email: string): string {
    const enrolled = this.#enrolled.get(email.toLowerCase());
    if (!enrolled) throw new Error(`${email} has no authenticator in this test`);
    const now = TestAuthenticators.codeAt(enrolled.secret, this.clock());
    const step = Math.max(now.step - 1, enrolled.lastStep + 1);
    if (step <= now.step + 1) {
      enrolled.lastStep = step;
      return TestAuthenticators.codeAt(enrolled.secret, this.clock(), step - now.step).code;
    }
    const recovery = enrolled.recoveryCodes.shift();
    if (!recovery) throw new Error(`${email} has used every code this test can give it`);
    return recovery;
  }
}

/** In Chromium, after the password: types the account's code at the second step, with the keyboard, if the app asks for one. */
export async function enterCodeIfAsked(page: Page, authenticators: TestAuthenticators, email: string): Promise<void> {
  await page.waitForURL((url) => url.pathname !== '/sign-in');
  if (new URL(page.url()).pathname !== '/sign-in/code') return;
  await page.getByLabel('Code').fill(authenticators.nextCode(email));
  await page.getByLabel('Code').press('Enter');
}
