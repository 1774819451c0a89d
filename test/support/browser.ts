import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless (scripts/ensure-chromium.sh installs it; CHROMIUM_PATH points elsewhere). */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core run inside the page (the context must bypass CSP: the script is injected inline). Returns the serious
 * and critical violations.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')),
    }));
  });
  return (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** What has keyboard focus: "tag name-or-text". */
const focused = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return 'none';
    const name = el.getAttribute('name') ?? (el.textContent ?? '').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()} ${name}`;
  });

/** Presses Tab until focus is on what `wanted` accepts (at most `presses` times); what it landed on. */
export async function tabTo(page: Page, wanted: (stop: string) => boolean, presses = 150): Promise<string> {
  const seen: string[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    const stop = await focused(page);
    if (wanted(stop)) return stop;
    seen.push(stop);
  }
  throw new Error(`Tab never reached it on ${page.url()}; stops: ${seen.slice(0, 40).join(' | ')}`);
}

/** What keyboard focus lands on, Tab after Tab from the top of the page: "tag name-or-text". */
export async function tabStops(page: Page, presses: number): Promise<string[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const stops: string[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    stops.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el) return 'none';
        const name = el.getAttribute('name') ?? (el.textContent ?? '').trim().slice(0, 40);
        return `${el.tagName.toLowerCase()} ${name}`;
      }),
    );
  }
  return stops;
}
