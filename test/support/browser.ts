import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, headless (scripts/ensure-chromium.sh installs it; CHROMIUM_PATH points elsewhere). */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
