import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** Debian's Chromium, headless, with everything that phones home switched off; `options` add to that (a proxy, say). */
export function launchChromium(options: Omit<LaunchOptions, 'executablePath' | 'args'> = {}): Promise<Browser> {
  return chromium.launch({
    ...options,
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
