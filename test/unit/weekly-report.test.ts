import { buildWeeklyReport, changeOf, metricsOf, ratio, targetsOf } from '../../domain/reports/weekly-report';
import { type WeekFigures } from '../../domain/reports/weekly-report-shape';
import {
  growingCategories,
  recommendationsFor,
  targetMissed,
  topFrictionScreen,
} from '../../domain/reports/recommendations';
import { weekBounds } from '../../domain/reports/iso-week';
import { renderReportCsv } from '../../domain/reports/report-csv';
import { renderReportHtml } from '../../domain/reports/report-html';
import { figuresOfDays } from '../../domain/reports/report-rollup';

const empty: WeekFigures = {
  totalOrders: 0,
  cancelledOrders: 0,
  assistedOrders: 0,
  incidences: 0,
  closedIncidences: 0,
  convertedIncidences: 0,
  avgTimeToResolveSeconds: null,
  medianTimeToResolveSeconds: null,
  totalTimeToResolveSeconds: 0,
  repeatFrictionIssues: 0,
  topIssueCategories: [],
  topFrictionScreens: [],
  frictionSignals: [],
  outcomes: [],
  orderImpact: [],
  timeToResolveDistribution: [],
  support: figuresOfDays([]).support,
};
const cartValueAtRisk = { openConversations: 0, value: 0, asOf: '2026-11-30T01:30:00.000Z' };

const build = (current: WeekFigures, previous: WeekFigures = empty, repeatBaseline = 0) =>
  buildWeeklyReport({
    isoWeek: '2026-W48',
    bounds: weekBounds('2026-W48'),
    previousIsoWeek: '2026-W47',
    current,
    previous,
    repeatBaseline,
    trend: [],
    agentHourlyRate: 150,
    computedAt: '2026-11-30T01:30:00.000Z',
    cartValueAtRisk,
  });

describe('report maths', () => {
  test('ratio never divides by zero', () => {
    expect(ratio(3, 0, 'nothing')).toEqual({ value: null, reason: 'nothing' });
    expect(ratio(1, 4, 'x', 100)).toEqual({ value: 25 });
  });

  test('empty week: zeros and nulls with reasons, no NaN or Infinity anywhere', () => {
    const report = build(empty);
    expect(report.metrics.totalOrders).toEqual({ value: 0 });
    expect(report.metrics.selfServeRate).toEqual({ value: null, reason: 'no orders were placed this week' });
    expect(report.metrics.assistedConversionRate.value).toBeNull();
    expect(report.metrics.avgTimeToResolveMinutes).toEqual({
      value: null,
      reason: 'no incidence was resolved this week',
    });
    expect(report.metrics.costPerAssistedOrder).toEqual({ value: null, reason: 'no assisted orders this week' });
    expect(report.metrics.supportCost).toEqual({ value: 0 });
    expect(JSON.stringify(report)).not.toMatch(/NaN|Infinity/);
    expect(report.recommendations).toEqual([]);
    expect(
      report.targets.every((t) => t.metric === 'repeatFrictionIssues' || ('met' in t.month1 && t.month1.met === null)),
    ).toBe(true);
  });

  test('the report metrics from figures', () => {
    const m = metricsOf(
      {
        ...empty,
        totalOrders: 40,
        assistedOrders: 10,
        closedIncidences: 8,
        convertedIncidences: 6,
        totalTimeToResolveSeconds: 7200,
        avgTimeToResolveSeconds: 900,
        medianTimeToResolveSeconds: 600,
      },
      150,
    );
    expect(m.selfServeRate.value).toBe(75);
    expect(m.assistedConversionRate.value).toBe(75);
    expect(m.supportCost.value).toBe(300); // 2 h × ₹150
    expect(m.costPerAssistedOrder.value).toBe(30);
    expect(m.avgTimeToResolveMinutes.value).toBe(15);
    expect(m.medianTimeToResolveMinutes.value).toBe(10);
  });

  test('week-over-week change, including from zero and from unknown', () => {
    expect(changeOf({ value: 12 }, { value: 10 })).toEqual({ previous: 10, absolute: 2, percent: 20 });
    expect(changeOf({ value: 5 }, { value: 0 })).toEqual({
      previous: 0,
      absolute: 5,
      percent: null,
      reason: 'previous week was 0',
    });
    expect(changeOf({ value: 5 }, { value: null, reason: 'no orders were placed this week' })).toMatchObject({
      absolute: null,
      percent: null,
      reason: 'no orders were placed this week',
    });
  });

  test('targets: met, missed by how much, and the repeat-friction −30% against four weeks earlier', () => {
    const metrics = metricsOf(
      {
        ...empty,
        totalOrders: 100,
        assistedOrders: 30,
        closedIncidences: 4,
        avgTimeToResolveSeconds: 420,
        totalTimeToResolveSeconds: 3600,
        repeatFrictionIssues: 7,
      },
      150,
    );
    const [selfServe, ttr, cost, repeat] = targetsOf(metrics, 10);
    expect(selfServe).toMatchObject({
      value: 70,
      month1: { target: 60, met: true, gap: 0 },
      month3: { target: 75, met: false, gap: 5 },
    });
    expect(ttr).toMatchObject({ value: 7, month1: { met: true }, month3: { target: 5, met: false, gap: 2 } });
    expect(cost).toMatchObject({ value: 5, month1: { met: true }, month3: { met: true } }); // ₹150 / 30 orders
    expect(repeat).toMatchObject({ value: -30, month1: { track: true }, month3: { target: -30, met: true, gap: 0 } });
    expect(targetsOf(metrics, 0)[3]).toMatchObject({
      value: null,
      month3: { met: null },
      reason: expect.stringContaining('four weeks earlier'),
    });
  });
});

describe('recommendations', () => {
  const busy: WeekFigures = {
    ...empty,
    totalOrders: 50,
    assistedOrders: 25,
    incidences: 20,
    closedIncidences: 10,
    convertedIncidences: 4,
    avgTimeToResolveSeconds: 900,
    medianTimeToResolveSeconds: 800,
    totalTimeToResolveSeconds: 9000,
    topIssueCategories: [
      { name: 'pricing', count: 9 },
      { name: 'delivery_time', count: 5 },
      { name: 'menu', count: 3 },
    ],
    topFrictionScreens: [
      { name: 'quote_summary', count: 8, topIssue: 'pricing', topIssueCount: 6 },
      { name: 'checkout', count: 4, topIssue: null, topIssueCount: 0 },
    ],
  };
  const before: WeekFigures = {
    ...empty,
    topIssueCategories: [
      { name: 'pricing', count: 3 },
      { name: 'delivery_time', count: 4 },
      { name: 'menu', count: 3 },
    ],
  };

  test('a missed target names the metric, its value, the target and the gap', () => {
    const recs = targetMissed(build(busy, before));
    expect(recs.map((r) => r.numbers.metric)).toEqual(['selfServeRate', 'avgTimeToResolveMinutes']);
    expect(recs[0]).toMatchObject({ priority: 'high', numbers: { value: 50, target: 60, gap: 10 } });
    expect(recs[0]!.text).toBe('Self-serve rate is 50%, 10 points below the month-1 target of 60%.');
    expect(recs[1]!.numbers).toMatchObject({ value: 15, target: 10, gap: 5 });
  });

  test('the screen with most incidences and its top issue', () => {
    const [rec] = topFrictionScreen(build(busy, before));
    expect(rec).toMatchObject({
      rule: 'top-friction-screen',
      numbers: {
        screen: 'quote_summary',
        incidences: 8,
        share_percent: 40,
        top_issue: 'pricing',
        top_issue_incidences: 6,
      },
    });
    expect(rec!.text).toContain('"quote_summary"');
  });

  test('fastest-growing categories, only when they grew by at least 2', () => {
    const recs = growingCategories(build(busy, before));
    expect(recs).toHaveLength(1);
    expect(recs[0]!.numbers).toEqual({
      category: 'pricing',
      incidences: 9,
      previous: 3,
      increase: 6,
      increase_percent: 200,
    });
  });

  test('a category new this week grows from 0 without a percentage', () => {
    const recs = growingCategories(build({ ...busy, topIssueCategories: [{ name: 'payment', count: 4 }] }, before));
    expect(recs[0]!.numbers).toMatchObject({ category: 'payment', previous: 0, increase: 4, increase_percent: null });
  });

  test('no orders with incidences says the feed is missing; all rules together, in order', () => {
    const report = build({ ...busy, totalOrders: 0, assistedOrders: 0 }, before);
    expect(report.recommendations.map((r) => r.rule)).toEqual([
      'no-orders',
      'target-missed',
      'top-friction-screen',
      'growing-category',
    ]);
    expect(recommendationsFor(report)[0]!.numbers).toEqual({ orders: 0, incidences: 20 });
  });
});

describe('renderings of an empty week', () => {
  const report = buildWeeklyReport({
    isoWeek: '2026-W48',
    bounds: weekBounds('2026-W48'),
    previousIsoWeek: '2026-W47',
    current: empty,
    previous: empty,
    repeatBaseline: 0,
    trend: [
      { isoWeek: '2026-W47', totalOrders: 0, assistedOrders: 0, selfServeRate: null },
      { isoWeek: '2026-W48', totalOrders: 0, assistedOrders: 0, selfServeRate: null },
    ],
    agentHourlyRate: 150,
    computedAt: '2026-11-30T01:30:00.000Z',
    cartValueAtRisk,
  });

  test('HTML: three charts saying there is no data, dashes for unknown values, no NaN', () => {
    const html = renderReportHtml(report);
    for (const chart of ['self-serve-trend', 'time-to-resolve', 'top-reasons'])
      expect(html).toContain(`data-chart="${chart}"`);
    expect(html).toContain('No orders in these weeks');
    expect(html).toContain('no orders were placed this week');
    expect(html).toContain('Monday 23 November 2026 to Sunday 29 November 2026');
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  test('CSV: empty cells for unknown values, reasons as notes, formulas defused', () => {
    const csv = renderReportCsv({
      ...report,
      topIssueCategories: [{ name: '=HYPERLINK("x")', count: 1, previous: 0, change: 1 }],
    });
    expect(csv).toContain('metric,Self-serve rate (%),,,,no orders were placed this week');
    expect(csv).toContain(`issue_category,"'=HYPERLINK(""x"")",1,0,1,`);
    expect(csv).not.toMatch(/NaN|null|undefined/);
  });

  test('response times, SLAs and commerce: dashes and zeros, not NaN; a stored report without them still renders', () => {
    const html = renderReportHtml(report);
    expect(html).toContain('id="response-times"');
    expect(html).toContain('No SLA settled.');
    expect(html).toContain('Cart value at risk when computed (0 open, Mon 30 Nov 2026, 7:00 am IST)');
    const csv = renderReportCsv(report);
    expect(csv).toContain('sla_met,overall,,,,');
    expect(csv).toContain('commerce,revenue rescued,0,0,,');
    expect(csv).toContain('first_response_distribution,< 1 min,0,,,');
    const older = { ...report, support: undefined } as unknown as typeof report;
    expect(renderReportHtml(older)).not.toContain('response-times');
    expect(renderReportCsv(older)).not.toContain('sla_met');
  });
});
