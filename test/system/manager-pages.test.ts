/**
 * The managers' pages in headless Chromium: overview, incidences and their drill-down, reports; each with data
 * and empty, filters and keyset paging, agent names from Freshchat, the drill-down from a report figure to an
 * incidence and its Freshchat link, the filtered export; axe-core finds no serious or critical violation and the
 * keyboard reaches filters, links and buttons.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sql } from 'slonik';
import { z } from 'zod';
import { computeAndStoreWeeklyReport } from '../../activities/weekly-report';
import { aggregateDay } from '../../activities/analytics-day';
import { recordOrder } from '../../stores/order-store';
import { PEOPLE, signIn, startSignInSystem, type SignInSystem } from '../support/sign-in';
import { FakeFreshchat } from '../../bench/support/fake-freshchat';
import { insertResponse, insertSlaTarget, insertSupportIncidence } from '../support/support-rows';
import type { TestSystem } from '../support/system';
import { launchChromium, seriousAxeViolations, tabStops, tabTo } from '../support/browser';

let system: TestSystem;
let empty: TestSystem;
let signInSystems: SignInSystem[];
let freshchat: FakeFreshchat;
let browser: Browser;
const contexts = new Map<TestSystem, BrowserContext>();
const DAY = 24 * 3_600_000;
const FRESHCHAT_URL = 'https://acme.freshchat.example/a/42/open/conversation/{conversation_id}';
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

beforeAll(async () => {
  freshchat = await new FakeFreshchat().start();
  freshchat.agents.set('agent-priya', {
    id: 'agent-priya',
    first_name: 'Priya',
    last_name: 'Sharma',
    email: 'priya@example.com',
  });
  freshchat.agents.set('agent-ravi', { id: 'agent-ravi', first_name: 'Ravi', last_name: 'Kumar' });
  const env = {
    FRESHCHAT_API_URL: freshchat.url,
    FRESHCHAT_API_TOKEN: 'test-token',
    FRESHCHAT_CONVERSATION_URL: FRESHCHAT_URL,
    TEMPORAL_UI_URL: 'https://temporal.example.test',
    TEMPORAL_NAMESPACE: 'support',
  };
  signInSystems = await Promise.all([
    startSignInSystem(env, { worker: false }),
    startSignInSystem(env, { worker: false }),
  ]);
  [system, empty] = signInSystems.map((s) => s.system) as [TestSystem, TestSystem];
  const pool = system.pool;
  // 2026-W48 (Mon 23 Nov IST): a wedding conversation Priya answered late, resolved and converted, with an order.
  const wedding = await insertSupportIncidence(pool, {
    conversation_id: 'conv-wedding',
    user_id: 'usr-asha',
    created_at: '2026-11-23T04:00:00Z',
    first_response_at: '2026-11-23T04:09:00Z',
    resolved_at: '2026-11-23T04:40:00Z',
    outcome: 'CONVERTED',
    cart_value: 185000,
    event_type: 'WEDDING',
    agent_id: 'agent-priya',
    issue_category: 'menu',
    sla_status: 'MISSED',
  });
  await pool.query(sql.unsafe`UPDATE incidences SET order_impact = 'PLACED' WHERE id = ${wedding}`);
  await insertResponse(pool, {
    incidence_id: wedding,
    kind: 'FIRST',
    waiting_since: '2026-11-23T04:00:00Z',
    answered_at: '2026-11-23T04:09:00Z',
  });
  await insertSlaTarget(pool, {
    incidence_id: wedding,
    started_at: '2026-11-23T04:00:00Z',
    due_at: '2026-11-23T04:05:00Z',
    status: 'MISSED',
    settled_at: '2026-11-23T04:05:00Z',
  });
  await pool.query(sql.unsafe`
    INSERT INTO incidence_timeline (incidence_id, event_type, actor, content, event_key, occurred_at)
    VALUES (${wedding}, 'MESSAGE', 'USER', 'Can the menu have <b>Jain</b> options?', 'm1', '2026-11-23T04:00:00Z'),
           (${wedding}, 'MESSAGE', 'AGENT', 'Yes, we can.', 'm2', '2026-11-23T04:09:00Z')`);
  await recordOrder(
    pool,
    { order_id: 'ORD-7', user_id: 'usr-asha', event: 'PLACED', value: 185000, placed_at: '2026-11-23T05:00:00Z' },
    DAY,
  );
  const corporate = await insertSupportIncidence(pool, {
    conversation_id: 'conv-corporate',
    created_at: '2026-11-24T06:00:00Z',
    resolved_at: '2026-11-24T06:30:00Z',
    first_response_at: '2026-11-24T06:01:00Z',
    cart_value: 12000,
    event_type: 'CORPORATE',
    agent_id: 'agent-unknown-7',
    issue_category: 'pricing',
  });
  // Answered in a minute, within its corporate SLA; reconciliation repaired two of its events that week.
  await insertResponse(pool, {
    incidence_id: corporate,
    kind: 'FIRST',
    waiting_since: '2026-11-24T06:00:00Z',
    answered_at: '2026-11-24T06:01:00Z',
  });
  await insertSlaTarget(pool, {
    incidence_id: corporate,
    policy: 'corporate',
    started_at: '2026-11-24T06:00:00Z',
    due_at: '2026-11-24T06:15:00Z',
    status: 'MET',
    settled_at: '2026-11-24T06:01:00Z',
  });
  const pass = await pool.oneFirst(sql.type(z.object({ id: z.string() }))`
    INSERT INTO reconciliation_passes (run_id, trigger, started_at, finished_at, messages_repaired)
    VALUES ('pages-pass', 'SCHEDULE', '2026-11-25T00:00:00Z', '2026-11-25T00:01:00Z', 2) RETURNING id::text`);
  await pool.query(sql.unsafe`
    INSERT INTO reconciliation_repairs (pass_id, conversation_id, events) VALUES (${pass}, 'conv-corporate', 2)`);
  await computeAndStoreWeeklyReport(pool, '2026-W48', 150);
  await aggregateDay(pool, '2026-11-23', DAY);
  // 130 open conversations (more than a page of 50, and more than the old limit of 100), carts ₹1,000 to ₹1,30,000.
  await pool.query(sql.unsafe`
    INSERT INTO incidences (conversation_id, stage, channel, trigger, outcome, cart_value, event_type, agent_id, created_at)
    SELECT 'open-' || g, 'PRE_ORDER', CASE WHEN g % 10 = 0 THEN 'WHATSAPP' ELSE 'IN_APP_CHAT' END, 'USER_INITIATED',
           'IN_PROGRESS', g * 1000, CASE WHEN g % 2 = 0 THEN 'WEDDING' ELSE 'CORPORATE' END,
           CASE WHEN g % 3 = 0 THEN 'agent-ravi' END, now() - g * interval '1 minute'
    FROM generate_series(1, 130) g`);
  const due = await insertSupportIncidence(pool, { conversation_id: 'conv-due', created_at: ago(3), cart_value: 500 });
  await insertSlaTarget(pool, { incidence_id: due, started_at: ago(3), due_at: ago(-1), status: 'ACTIVE' });
  browser = await launchChromium();
  // A viewer signed in to each system through the real provider (each its own browser context: same host).
  for (const on of [system, empty]) contexts.set(on, await signedInContext(on, 'Asia/Kolkata'));
});
afterAll(async () => {
  await browser?.close();
  await Promise.all((signInSystems ?? []).map((s) => s.stop()));
  await freshchat?.stop();
});

async function signedInContext(on: TestSystem, timezoneId: string): Promise<BrowserContext> {
  const context = await browser.newContext({ bypassCSP: true, timezoneId }); // axe-core is injected inline
  const page = await context.newPage();
  await signIn(page, on.baseUrl, PEOPLE.viewer, '/overview');
  expect(new URL(page.url()).pathname).toBe('/overview');
  await page.close();
  return context;
}

async function open(path: string, on = system): Promise<Page> {
  const page = await contexts.get(on)!.newPage();
  const response = await page.goto(`${on.baseUrl}${path}`);
  expect(response?.status()).toBe(200);
  return page;
}

/** One CSV line's cells (quoted cells unquoted). */
const csvCells = (line: string): string[] =>
  [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)]
    .slice(0, -1)
    .map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'));

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

test('signed out, every page leads to sign-in and back', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    for (const path of ['/overview', '/incidences?sort=cart', '/reports/weekly', '/reports/heatmap']) {
      await page.goto(`${system.baseUrl}${path}`);
      expect(new URL(page.url()).pathname).toBe('/signin');
      expect(new URL(page.url()).searchParams.get('next')).toBe(path);
    }
    const csv = await page.request.get(`${system.baseUrl}/incidences/export.csv`, { maxRedirects: 0 });
    expect([302, 401]).toContain(csv.status());
  } finally {
    await context.close();
  }
});

describe('overview', () => {
  test('figures, agent names, the due SLA, and paging past 100 open conversations', async () => {
    const page = await open('/overview');
    expect(await page.locator('[data-tile="Open conversations"] .figure').innerText()).toBe('131');
    expect(await page.locator('[data-tile="SLAs due within 5 min"] .figure').innerText()).toBe('1');
    // ₹1,000 + … + ₹1,30,000 = ₹85,15,000, and ₹500.
    expect(await page.locator('[data-tile="Cart value at risk"] .figure').innerText()).toBe('₹85,15,500');
    const openRows = page.locator('table[aria-labelledby="open"] tbody tr');
    expect(await openRows.count()).toBe(50);
    expect(await openRows.first().innerText()).toContain('₹1,30,000');
    expect(await page.locator('table[aria-labelledby="open"]').innerText()).toContain('Ravi Kumar');
    expect(await page.locator('table[aria-labelledby="due-soon"]').innerText()).toContain('conv-due');
    const seen = new Set<string>();
    for (let p = 0; p < 3; p++) {
      for (const text of await page.locator('table[aria-labelledby="open"] tbody tr td:first-child').allInnerTexts())
        seen.add(text);
      const next = page.locator('a[rel="next"]');
      if ((await next.count()) === 0) break;
      await next.click();
    }
    expect(seen.size).toBe(131);
    await page.click('a[rel="prev"]');
    expect(await openRows.first().innerText()).toContain('₹80,000');
    await expectAccessible(page);
  });

  test('filters: agent, channel and cart value tier narrow every figure', async () => {
    const page = await open('/overview');
    await page.selectOption('select[name="agent"]', 'agent-ravi');
    await page.selectOption('select[name="channel"]', 'WHATSAPP');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/agent=agent-ravi/);
    // g divisible by 3 and by 10: 30, 60, 90, 120.
    expect(await page.locator('[data-tile="Open conversations"] .figure').innerText()).toBe('4');
    expect(await page.locator('[data-tile="Cart value at risk"] .figure').innerText()).toBe('₹3,00,000');
    await page.selectOption('select[name="tier"]', '3');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(await page.locator('[data-tile="Open conversations"] .figure').innerText()).toBe('1');
    // The figure leads to the same conversations in the incidences list.
    await page.click('[data-tile="Open conversations"] a');
    expect(await page.locator('tbody tr[data-incidence]').count()).toBe(1);
  });

  test("times in the browser's time zone, and the page refreshes itself", async () => {
    const other = await signedInContext(system, 'Europe/London');
    try {
      const page = await other.newPage();
      await page.goto(`${system.baseUrl}/overview`);
      await page.waitForFunction(() =>
        document.querySelector('[data-refresh] .meta')?.textContent?.includes('Europe/London'),
      );
      const before = await page.locator('[data-refresh] .meta time').getAttribute('datetime');
      await page.waitForFunction(
        (b) => document.querySelector('[data-refresh] .meta time')?.getAttribute('datetime') !== b,
        before,
        { timeout: 40_000 },
      );
    } finally {
      await other.close();
    }
  }, 60_000);

  test('empty: zeros and sentences, no broken table', async () => {
    const page = await open('/overview', empty);
    expect(await page.locator('[data-tile="Open conversations"] .figure').innerText()).toBe('0');
    expect(await page.locator('table[aria-labelledby="open"]').innerText()).toContain('No conversation is open.');
    await expectAccessible(page);
  });

  test('keyboard: Tab reaches the filters, the Apply button, figures and conversation links', async () => {
    const page = await open('/overview');
    const stops = await tabStops(page, 20);
    expect(stops).toEqual(
      expect.arrayContaining(['select sla', 'select agent', 'input event', 'select tier', 'select channel']),
    );
    expect(stops.some((s) => s.startsWith('button') && s.includes('Apply'))).toBe(true);
    expect(stops.some((s) => s.startsWith('a') && s.includes('Open conversations'))).toBe(true);
  });
});

describe('incidences', () => {
  test('list: filters, sort, keyset pages, agent names and unknown agents as ids', async () => {
    const page = await open('/incidences?from=2026-11-23&to=2026-11-29');
    const rows = page.locator('tbody tr[data-incidence]');
    expect(await rows.count()).toBe(2);
    const text = await page.locator('table').innerText();
    expect(text).toContain('Priya Sharma');
    expect(text).toContain('agent-unknown-7');
    expect(text).toContain('₹1,85,000');
    expect(text).toMatch(/Mon(day)?,? 23 Nov 2026/);
    await expectAccessible(page);

    const all = await open('/incidences?sort=cart');
    expect(await all.locator('#matching').innerText()).toBe('133 matching');
    expect(await all.locator('tbody tr[data-incidence]').first().innerText()).toContain('₹1,85,000');
    const ids = new Set<string>();
    for (;;) {
      for (const id of await all
        .locator('tbody tr[data-incidence]')
        .evaluateAll((r) => r.map((e) => e.getAttribute('data-incidence')!)))
        ids.add(id);
      const next = all.locator('a[rel="next"]');
      if ((await next.count()) === 0) break;
      await next.click();
    }
    expect(ids.size).toBe(133);
  });

  test('keyset pages both ways: previous page walks back through the same pages, in every order', async () => {
    for (const sort of ['cart', 'newest', 'oldest']) {
      const page = await open(`/incidences?sort=${sort}`);
      const ids = () =>
        page.locator('tbody tr[data-incidence]').evaluateAll((r) => r.map((e) => e.getAttribute('data-incidence')!));
      expect(await page.locator('a[rel="prev"]').count()).toBe(0);
      const pages = [await ids()];
      while ((await page.locator('a[rel="next"]').count()) > 0) {
        await page.click('a[rel="next"]');
        pages.push(await ids());
      }
      expect(pages.map((p) => p.length)).toEqual([50, 50, 33]);
      for (let p = pages.length - 2; p >= 0; p--) {
        await page.click('a[rel="prev"]');
        expect(await ids()).toEqual(pages[p]);
      }
      expect(await page.locator('a[rel="prev"]').count()).toBe(0);
      expect(await page.locator('a[rel="next"]').count()).toBe(1);
      await page.close();
    }
  });

  test('a filter the list cannot read answers 400 naming it', async () => {
    const page = await contexts.get(system)!.newPage();
    const response = await page.goto(`${system.baseUrl}/incidences?outcome=WON`);
    expect(response?.status()).toBe(400);
    expect(await page.locator('[role="alert"]').innerText()).toContain('outcome: "WON" is not one of');
  });

  test('empty list says so', async () => {
    const page = await open('/incidences', empty);
    expect(await page.locator('tbody').innerText()).toContain('No incidence matches these filters.');
    await expectAccessible(page);
  });

  test('the export button carries the filters and names agents', async () => {
    const page = await open('/incidences?from=2026-11-23&to=2026-11-29&agent=agent-priya');
    const link = page.locator('a[download]');
    expect(await link.innerText()).toBe('Export these as CSV');
    const href = await link.getAttribute('href');
    expect(href).toBe('/incidences/export.csv?from=2026-11-23&to=2026-11-29&agent=agent-priya');
    const response = await page.request.get(`${system.baseUrl}${href}`);
    expect(response.headers()['content-type']).toContain('text/csv');
    const [header, ...lines] = (await response.text()).trim().split('\n');
    expect(lines).toHaveLength(1);
    const columns = csvCells(header!);
    const cells = csvCells(lines[0]!);
    expect(cells[columns.indexOf('conversation_id')]).toBe('conv-wedding');
    expect(cells[columns.indexOf('agent_name')]).toBe('Priya Sharma');
  });
});

/** The conversations a list shows, every page of it. */
async function listed(page: Page): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    ids.push(...(await page.locator('tbody tr[data-incidence] td:nth-child(2)').allInnerTexts()));
    const next = page.locator('a[rel="next"]');
    if ((await next.count()) === 0) return ids.sort();
    await next.click();
  }
}

/** Follows the figure's link in Chromium: the figure, and the conversations the list then shows. */
async function follow(page: Page, figure: ReturnType<Page['locator']>): Promise<{ figure: string; ids: string[] }> {
  const link = figure.locator('xpath=descendant-or-self::a').first();
  const text = await link.innerText();
  const list = await open((await link.getAttribute('href'))!);
  expect(new URL(list.url()).pathname).toBe('/incidences');
  const ids = await listed(list);
  await list.close();
  return { figure: text, ids };
}

/** A report table by the heading above it. */
const tableAfter = (page: Page, heading: string) =>
  page.locator('h3', { hasText: heading }).locator('xpath=following-sibling::table[1]');

describe('every figure leads to the incidences it counts', () => {
  test('weekly report: metrics this week and the week before, orders, repairs, SLAs, responses, conversion', async () => {
    const page = await open('/reports/weekly?week=2026-W48');
    const metric = (name: string, column = 'td.value') => page.locator(`#metrics tr[data-metric="${name}"] ${column}`);
    const cases: Array<[string, ReturnType<Page['locator']>, string | null, string[]]> = [
      ['incidences started', metric('incidences'), '2', ['conv-corporate', 'conv-wedding']],
      ['incidences the week before', metric('incidences', 'td.previous'), '0', []],
      ['assisted orders (orders saved)', metric('assistedOrders'), '1', ['conv-wedding']],
      ['events repaired', metric('eventsRepaired'), '2', ['conv-corporate']],
      [
        'revenue rescued',
        page.locator('#commerce tr', { hasText: 'Revenue rescued' }).locator('td'),
        '₹1,85,000',
        ['conv-wedding'],
      ],
      [
        'first responses met',
        tableAfter(page, 'SLAs by target').locator('tr', { hasText: 'FIRST_RESPONSE' }).locator('td').nth(0),
        '1',
        ['conv-corporate'],
      ],
      [
        'first responses missed',
        tableAfter(page, 'SLAs by target').locator('tr', { hasText: 'FIRST_RESPONSE' }).locator('td').nth(1),
        '1',
        ['conv-wedding'],
      ],
      [
        'met under the corporate policy',
        tableAfter(page, 'SLAs by policy').locator('tr', { hasText: 'corporate' }).locator('td').nth(0),
        '1',
        ['conv-corporate'],
      ],
      [
        'missed by Priya',
        tableAfter(page, 'SLAs by agent').locator('tr', { hasText: 'Priya Sharma' }).locator('td').nth(1),
        '1',
        ['conv-wedding'],
      ],
      [
        'SLAs of corporate events, % met',
        tableAfter(page, 'SLAs by event type').locator('tr', { hasText: 'CORPORATE' }).locator('td').nth(2),
        '100.0%',
        ['conv-corporate'],
      ],
      [
        'first responses in 1–2 min',
        page.locator('#first-response-distribution tr', { hasText: '1–2 min' }).locator('td'),
        '1',
        ['conv-corporate'],
      ],
      [
        'first responses in 5–15 min',
        page.locator('#first-response-distribution tr', { hasText: '5–15 min' }).locator('td'),
        '1',
        ['conv-wedding'],
      ],
      [
        'converted after a 5–15 min first response',
        page.locator('#conversion-by-first-response tr', { hasText: '5–15 min' }).locator('td').nth(1),
        '1',
        ['conv-wedding'],
      ],
      [
        'first response times',
        page.locator('#response-times tr', { hasText: 'First response, calendar' }).locator('td').nth(3),
        '2',
        ['conv-corporate', 'conv-wedding'],
      ],
    ];
    for (const [what, figure, text, ids] of cases) {
      const followed = await follow(page, figure);
      expect({ what, figure: followed.figure, ids: followed.ids }).toEqual({
        what,
        figure: text ?? followed.figure,
        ids,
      });
    }
    // Every figure of the SLA, response and conversion tables is a link, and every link opens a list.
    for (const table of ['#response-times', '#first-response-distribution', '#conversion-by-first-response'])
      for (const cell of await page.locator(`.report ${table} td`).all())
        expect(await cell.locator('a').count()).toBe(1);
    const hrefs = await page
      .locator('.report a[href^="/incidences"]')
      .evaluateAll((a) => a.map((e) => e.getAttribute('href')!));
    expect(hrefs.length).toBeGreaterThan(40);
    for (const href of new Set(hrefs)) expect((await page.request.get(`${system.baseUrl}${href}`)).status()).toBe(200);
  });

  test('heatmap cells and days lead to the conversations started, and the first responses missed, in them', async () => {
    const heat = await open('/reports/heatmap?from=2026-11-23&to=2026-11-29');
    const cell = (map: string, day: number, hour: number) =>
      heat.locator(`table[data-heatmap="${map}"] tbody tr`).nth(day).locator('td').nth(hour);
    expect(await follow(heat, cell('started', 0, 9))).toEqual({ figure: '1', ids: ['conv-wedding'] });
    expect(await follow(heat, cell('started', 1, 11))).toEqual({ figure: '1', ids: ['conv-corporate'] });
    expect(await follow(heat, cell('missed', 0, 9))).toEqual({ figure: '1', ids: ['conv-wedding'] });
    const mondayTotal = heat.locator('table[data-heatmap="started"] tbody tr').nth(0).locator('td.num');
    expect(await follow(heat, mondayTotal)).toEqual({ figure: '1', ids: ['conv-wedding'] });
    // An empty hour is no link.
    expect(await cell('started', 0, 10).locator('a').count()).toBe(0);

    const days = await open('/reports/days?from=2026-11-22&to=2026-11-24');
    const monday = days.locator('tr[data-day="2026-11-23"] td');
    expect(await follow(days, monday.nth(2))).toEqual({ figure: '1', ids: ['conv-wedding'] });
    expect(await follow(days, monday.nth(3))).toEqual({ figure: '1', ids: ['conv-wedding'] });
  });

  test('a list reached from a figure says what narrows it, and keeps it through the filter form', async () => {
    const page = await open(
      '/incidences?from=2026-11-23&to=2026-11-29&dates=waited&target=FIRST_RESPONSE&result=MISSED&weekday=1&hour=9',
    );
    expect(await page.locator('[data-narrowed]').innerText()).toBe(
      'Only incidences with an SLA target of first response missed; on Mondays; from 09:00 to 10:00 India time.',
    );
    await page.selectOption('select[name="agent"]', 'agent-priya');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/agent=agent-priya/);
    expect(new URL(page.url()).searchParams.get('hour')).toBe('9');
    expect(await listed(page)).toEqual(['conv-wedding']);
  });
});

describe('reports', () => {
  test('weekly report: aligned headers, words, ₹, contents; a figure leads to an incidence and its Freshchat link', async () => {
    const page = await open('/reports/weekly?week=2026-W48');
    const body = await page.locator('.report').innerText();
    expect(body).toContain('Monday 23 November 2026 to Sunday 29 November 2026');
    expect(body).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    expect(body).not.toMatch(/\d ₹/);
    expect(await page.locator('nav.contents a').count()).toBeGreaterThanOrEqual(5);
    // Each header sits over its figure's right edge.
    const head = await page.locator('#metrics th[scope="col"]').first().boundingBox();
    const cell = await page.locator('#metrics tr[data-metric="incidences"] td').first().boundingBox();
    expect(Math.abs(head!.x + head!.width - (cell!.x + cell!.width))).toBeLessThan(2);
    expect(body).toContain('Priya Sharma');
    await expectAccessible(page);

    await page.click('#metrics tr[data-metric="incidences"] td.value a');
    await page.waitForURL(/\/incidences\?/);
    expect(await page.locator('tbody tr[data-incidence]').count()).toBe(2);
    await page.click('a:text("conv-wedding")');
    await page.waitForURL(/\/incidences\/[0-9a-f-]{36}$/);
    expect(await page.locator('a[data-link="freshchat"]').getAttribute('href')).toBe(
      'https://acme.freshchat.example/a/42/open/conversation/conv-wedding',
    );
    expect(await page.locator('a[data-link="temporal"]').getAttribute('href')).toBe(
      'https://temporal.example.test/namespaces/support/workflows/conversation-conv-wedding',
    );
    const drill = await page.locator('main').innerText();
    expect(drill).toContain('Can the menu have <b>Jain</b> options?');
    expect(drill).toContain('ORD-7');
    expect(drill).toContain('9 min');
    expect(drill).toMatch(/First response\s+standard\s+.*Missed/s);
    await expectAccessible(page);
  });

  test('a week with no report, the days and the heatmap, with data and empty', async () => {
    const none = await open('/reports/weekly?week=2026-W10');
    expect(await none.locator('[role="status"]').innerText()).toContain('No report is stored for 2026-W10');
    await expectAccessible(none);

    const days = await open('/reports/days?from=2026-11-22&to=2026-11-24');
    expect(await days.locator('tr[data-day="2026-11-23"]').innerText()).toContain('Monday 23 November 2026');
    expect(await days.locator('tr[data-day="2026-11-22"]').innerText()).toContain('Not aggregated yet');
    await expectAccessible(days);

    const heat = await open('/reports/heatmap?from=2026-11-23&to=2026-11-29');
    // 04:00 UTC on Monday is 09:30 India time; 06:00 UTC on Tuesday is 11:30.
    const started = heat.locator('table[data-heatmap="started"] tbody tr');
    expect(await started.nth(0).locator('td').nth(9).innerText()).toBe('1');
    expect(await started.nth(1).locator('td').nth(11).innerText()).toBe('1');
    const missed = heat.locator('table[data-heatmap="missed"] tbody tr');
    expect(await missed.nth(0).locator('td').nth(9).innerText()).toBe('1');
    await expectAccessible(heat);

    const emptyHeat = await open('/reports/heatmap', empty);
    expect(await emptyHeat.locator('table[data-heatmap="started"] tbody td.num').allInnerTexts()).toEqual(
      Array(7).fill('0'),
    );
    await expectAccessible(emptyHeat);
  });
});

test('keyboard alone: sign in, filter the overview, open a figure, page the list both ways, drill down, export, sign out', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  try {
    const page = await context.newPage();
    const key = async (wanted: (stop: string) => boolean, press = 'Enter') => {
      await tabTo(page, wanted);
      await page.keyboard.press(press);
    };
    await page.goto(`${system.baseUrl}/overview`);
    // Sign-in: our page, then the provider's login form and consent, all by keyboard.
    await key((s) => s.startsWith('a Sign in with'));
    await page.waitForURL((u) => u.origin !== new URL(system.baseUrl).origin);
    await tabTo(page, (s) => s === 'input login');
    await page.keyboard.type(PEOPLE.viewer.email);
    await tabTo(page, (s) => s === 'input password');
    await page.keyboard.type('any password');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Continue' }).waitFor();
    await key((s) => s.includes('Continue'));
    await page.waitForURL(`${system.baseUrl}/overview`);

    // Overview filters: an agent chosen by typing, applied with Enter.
    await tabTo(page, (s) => s === 'select agent');
    await page.keyboard.type('Ravi');
    await key((s) => s.startsWith('button') && s.includes('Apply filters'));
    await page.waitForURL(/agent=agent-ravi/);
    await key((s) => s.startsWith('a') && s.includes('Open conversations'));
    await page.waitForURL((u) => u.pathname === '/incidences' && u.searchParams.get('state') === 'open');
    expect(new URL(page.url()).searchParams.get('agent')).toBe('agent-ravi');
    expect(await page.locator('#matching').innerText()).toBe('43 matching');

    // The whole list, largest cart first, paged forwards and back.
    await key((s) => s === 'a Incidences');
    await page.waitForURL(`${system.baseUrl}/incidences`);
    await tabTo(page, (s) => s === 'select sort');
    await page.keyboard.type('Largest');
    await key((s) => s.startsWith('button') && s.includes('Apply filters'));
    await page.waitForURL(/sort=cart/);
    const first = await page.locator('tbody tr[data-incidence]').first().innerText();
    await key((s) => s === 'a Next page');
    await page.waitForURL(/after=/);
    await key((s) => s === 'a Previous page');
    await page.waitForURL(/before=/);
    expect(await page.locator('tbody tr[data-incidence]').first().innerText()).toBe(first);

    // The export button carries the filters.
    const [download] = await Promise.all([page.waitForEvent('download'), key((s) => s === 'a Export these as CSV')]);
    expect(download.url()).toContain('/incidences/export.csv');
    expect((await download.failure()) ?? 'ok').toBe('ok');

    // The drill-down, and its Freshchat link reachable.
    await key((s) => s === 'a conv-wedding');
    await page.waitForURL(/\/incidences\/[0-9a-f-]{36}$/);
    await tabTo(page, (s) => s === 'a Open the conversation in Freshchat');

    await key((s) => s.startsWith('button') && s.includes('Sign out'));
    await page.waitForURL(/\/signin\?signed_out/);
  } finally {
    await context.close();
  }
});
