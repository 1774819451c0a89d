import { chromium, type Browser } from 'playwright-core';
import { recordOrder } from '../../stores/order-store';
import { aggregateDay } from '../../activities/analytics-day';
import { computeAndStoreWeeklyReport } from '../../activities/weekly-report';
import { adminGet, insertIncidence } from '../support/analytics';
import { appToken } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
const DAY = 24 * 3_600_000;

beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
  const pool = system.pool;
  // 2026-W48 (from Mon 23 Nov IST): two resolved incidences (one with a hostile category name), one open; 3 orders, 1 assisted.
  await insertIncidence(pool, {
    user_id: 'A',
    created_at: '2026-11-23T04:00:00Z',
    resolved_at: '2026-11-23T04:04:00Z',
    outcome: 'CONVERTED',
    order_impact: 'PLACED',
    issue_category: 'menu',
    app_screen: 'platter_customise',
  });
  await insertIncidence(pool, {
    user_id: 'B',
    created_at: '2026-11-24T04:00:00Z',
    resolved_at: '2026-11-24T04:40:00Z',
    issue_category: '<script>alert("x")</script>',
    app_screen: 'quote_summary',
  });
  await insertIncidence(pool, { user_id: 'C', created_at: '2026-11-25T04:00:00Z', app_screen: 'quote_summary' });
  await recordOrder(
    pool,
    { order_id: 'A-1', user_id: 'A', event: 'PLACED', value: 1000, placed_at: '2026-11-23T05:00:00Z' },
    DAY,
  );
  await recordOrder(
    pool,
    { order_id: 'D-1', user_id: 'D', event: 'PLACED', value: 1000, placed_at: '2026-11-23T06:00:00Z' },
    DAY,
  );
  await recordOrder(
    pool,
    { order_id: 'E-1', user_id: 'E', event: 'PLACED', value: 1000, placed_at: '2026-11-24T06:00:00Z' },
    DAY,
  );
  await recordOrder(
    pool,
    { order_id: 'F-1', user_id: 'F', event: 'PLACED', value: 1000, placed_at: '2026-11-17T06:00:00Z' },
    DAY,
  ); // W47
  await computeAndStoreWeeklyReport(pool, '2026-W48', 150);
  await aggregateDay(pool, '2026-11-23', DAY);
  await aggregateDay(pool, '2026-11-24', DAY);
});
afterAll(async () => {
  await system?.stop();
});

describe('weekly report endpoints', () => {
  test('admin token required: 401 without, 403 with an app token', async () => {
    expect((await adminGet(system.baseUrl, '/api/v1/analytics/weekly/2026-W48', null)).status).toBe(401);
    const res = await adminGet(system.baseUrl, '/api/v1/analytics/weekly/2026-W48', await appToken('usr_1'));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'forbidden' });
  });

  test('JSON: the stored report', async () => {
    const res = await adminGet(system.baseUrl, '/api/v1/analytics/weekly/2026-W48');
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ iso_week: '2026-W48', computations: 1, emailed_at: null });
    expect(body.report.metrics.totalOrders).toEqual({ value: 3 });
    expect(body.report.metrics.assistedOrders).toEqual({ value: 1 });
    expect(body.report.metrics.selfServeRate.value).toBeCloseTo(66.667, 2);
    expect(body.report.metrics.avgTimeToResolveMinutes.value).toBe(22); // (4 + 40) / 2
    expect((await adminGet(system.baseUrl, '/api/v1/analytics/weekly/2026-W48.json')).status).toBe(200);
  });

  test('a week not computed yet → 404 saying how it gets computed; malformed or impossible weeks → 400', async () => {
    const missing = await adminGet(system.baseUrl, '/api/v1/analytics/weekly/2026-W10');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: 'report_not_computed',
      message: expect.stringContaining('scheduledWeeklyReportWorkflow'),
    });
    for (const bad of ['2026-W54', '2027-W53', 'last-week', '2026-W48.pdf', '2026-W00.html']) {
      const res = await adminGet(system.baseUrl, `/api/v1/analytics/weekly/${bad}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_iso_week', field: 'isoWeek' });
    }
  });

  test('CSV: one row per figure, spreadsheet-safe', async () => {
    const res = await adminGet(system.baseUrl, '/api/v1/analytics/weekly/2026-W48.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain('weekly-report-2026-W48.csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('section,name,this_week,previous_week,change,note');
    expect(lines).toContain('metric,Total orders (orders),3,1,2,');
    expect(lines.find((l) => l.startsWith('metric,Self-serve rate'))).toBe(
      'metric,Self-serve rate (%),66.67,100,-33.33,',
    );
    expect(lines).toContain('issue_category,"<script>alert(""x"")</script>",1,0,1,');
  });

  test('HTML rendered in headless Chromium: three SVG charts with data, text escaped, no script', async () => {
    const res = await adminGet(system.baseUrl, '/api/v1/analytics/weekly/2026-W48.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toContain('<script>alert');

    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      });
      const page = await browser.newPage();
      await page.setExtraHTTPHeaders({ authorization: `Bearer ${system.config.ADMIN_API_TOKEN}` });
      const response = await page.goto(`${system.baseUrl}/api/v1/analytics/weekly/2026-W48.html`);
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe('Weekly report 2026-W48');
      // Self-serve trend: a line through the two weeks with orders (W47 100 %, W48 67 %).
      expect(await page.locator('svg[data-chart="self-serve-trend"] path').count()).toBe(1);
      expect(await page.locator('svg[data-chart="self-serve-trend"] circle.point').count()).toBe(2);
      // Time to resolve: seven buckets, two incidences (4 min → 2–5 min, 40 min → 30–60 min).
      expect(await page.locator('svg[data-chart="time-to-resolve"] rect.bar').count()).toBe(7);
      const heights = await page
        .locator('svg[data-chart="time-to-resolve"] rect.bar')
        .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
      expect(heights.map((h) => h > 0)).toEqual([false, true, false, false, true, false, false]);
      // Top reasons: one bar per category, visibly sized.
      const bars = page.locator('svg[data-chart="top-reasons"] rect.bar');
      expect(await bars.count()).toBe(2);
      const box = await bars.first().boundingBox();
      expect(box!.width).toBeGreaterThan(50);
      expect(await page.locator('svg[data-chart="top-reasons"]').textContent()).toContain(
        '<script>alert("x")</script>',
      );
      expect(await page.locator('script').count()).toBe(0);
      const metrics = await page.locator('#metrics').innerText();
      expect(metrics).toContain('Self-serve rate');
      expect(metrics).toContain('66.7%');
      expect(await page.locator('tr[data-metric="costPerAssistedOrder"] td.value').innerText()).toContain('₹');
    } finally {
      await browser?.close();
    }
  });
});

describe('GET /api/v1/analytics/daily', () => {
  test('stored days in range, and the days not aggregated yet', async () => {
    const res = await adminGet(system.baseUrl, '/api/v1/analytics/daily?from=2026-11-22&to=2026-11-24');
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.days.map((d: any) => [d.date, d.total_orders, d.orders_with_help, d.orders_without_help])).toEqual([
      ['2026-11-23', 2, 1, 1],
      ['2026-11-24', 1, 0, 1],
    ]);
    expect(body.days[0]).toMatchObject({
      total_incidences: 1,
      avg_time_to_resolve_seconds: 240,
      top_issue_categories: [{ name: 'menu', count: 1 }],
    });
    expect(body.missing).toEqual(['2026-11-22']);
  });

  test.each([
    ['?to=2026-11-24', 'from'],
    ['?from=2026-11-24', 'to'],
    ['?from=2026-02-30&to=2026-03-01', 'from'],
    ['?from=24/11/2026&to=2026-11-24', 'from'],
    ['?from=2026-11-25&to=2026-11-24', 'from'],
    ['?from=2025-01-01&to=2026-11-24', 'to'],
  ])('%s → 400 naming %s', async (query, field) => {
    const res = await adminGet(system.baseUrl, `/api/v1/analytics/daily${query}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field });
  });

  test('admin only', async () => {
    expect((await adminGet(system.baseUrl, '/api/v1/analytics/daily?from=2026-11-22&to=2026-11-24', null)).status).toBe(
      401,
    );
  });
});

test('a report computed earlier never replaces one stored later (runs finishing out of order)', async () => {
  const { sql } = await import('slonik');
  const { z } = await import('zod');
  const week = '2026-W20';
  const first = await computeAndStoreWeeklyReport(system.pool, week, 150);
  const later = new Date(Date.now() + 3_600_000).toISOString();
  await system.pool.query(
    sql.unsafe`UPDATE weekly_reports SET computed_at = ${later}::timestamptz WHERE iso_week = ${week}`,
  );
  const stale = await computeAndStoreWeeklyReport(system.pool, week, 150);
  expect(stale.computations).toBe(first.computations);
  const stored = await system.pool.oneFirst(
    sql.type(
      z.object({ t: z.string() }),
    )`SELECT to_json(computed_at)#>>'{}' AS t FROM weekly_reports WHERE iso_week = ${week}`,
  );
  expect(Date.parse(stored)).toBe(Date.parse(later));
});
