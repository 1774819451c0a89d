/**
 * The weekly report as one self-contained HTML page: no scripts, no external assets, charts as inline SVG
 * (self-serve trend, time-to-resolve distribution, top reasons) or, in the email, as images of the same SVG.
 * Every text from data is escaped. Figures link to the incidences behind them when `incidencesUrl` is given.
 */
import { addDays, istDateOf } from './iso-week';
import { dateInWords, dateTimeInWords, rupees } from './display';
import type { IncidenceFilters } from './incidence-filters';
import { renderSupportHtml } from './support-html';
import {
  formatChange,
  formatMetric,
  headRow,
  linked,
  escapeHtml as e,
  type ReportChart,
  type ReportRenderOptions,
} from './report-format';
import { METRIC_LABELS } from './weekly-report';
import { type Count } from './support-metrics';
import { METRIC_NAMES, type MetricName, type TargetLevel, type WeeklyReport } from './weekly-report-shape';

export type { ReportChart, ReportRenderOptions };

const W = 640;

function barChart(id: string, title: string, rows: Count[], color: string): ReportChart {
  const rowHeight = 26;
  const labelWidth = 200;
  const height = Math.max(1, rows.length) * rowHeight + 10;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const bars = rows
    .map((r, i) => {
      const y = 5 + i * rowHeight;
      const width = Math.round(((W - labelWidth - 60) * r.count) / max);
      return (
        `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${e(r.name)}</text>` +
        `<rect class="bar" x="${labelWidth}" y="${y + 3}" width="${width}" height="${rowHeight - 8}" fill="${color}"><title>${e(r.name)}: ${r.count}</title></rect>` +
        `<text x="${labelWidth + width + 6}" y="${y + 16}">${r.count}</text>`
      );
    })
    .join('');
  const empty = rows.length === 0 ? `<text x="10" y="20">No data this week</text>` : '';
  return {
    id,
    title,
    svg: `<svg data-chart="${id}" role="img" aria-label="${e(title)}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-size="12" font-family="sans-serif">${bars}${empty}</svg>`,
    alt: rows.length ? rows.map((r) => `${r.name}: ${r.count}`).join('; ') : 'No data this week',
  };
}

function histogram(report: WeeklyReport): ReportChart {
  const rows = report.timeToResolveDistribution;
  const height = 220;
  const base = 180;
  const slot = (W - 40) / Math.max(1, rows.length);
  const max = Math.max(1, ...rows.map((r) => r.count));
  const bars = rows
    .map((r, i) => {
      const h = Math.round((140 * r.count) / max);
      const x = 20 + i * slot;
      return (
        `<rect class="bar" x="${x + 6}" y="${base - h}" width="${slot - 12}" height="${h}" fill="#3b7dd8"><title>${e(r.name)}: ${r.count}</title></rect>` +
        `<text x="${x + slot / 2}" y="${base - h - 4}" text-anchor="middle">${r.count}</text>` +
        `<text x="${x + slot / 2}" y="${base + 16}" text-anchor="middle">${e(r.name)}</text>`
      );
    })
    .join('');
  return {
    id: 'time-to-resolve',
    title: 'Time to resolve (incidences resolved this week)',
    svg: `<svg data-chart="time-to-resolve" role="img" aria-label="Time to resolve distribution" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-size="11" font-family="sans-serif"><line x1="20" y1="${base}" x2="${W - 20}" y2="${base}" stroke="#999"/>${bars}</svg>`,
    alt: rows.map((r) => `${r.name}: ${r.count}`).join('; '),
  };
}

function trendChart(report: WeeklyReport): ReportChart {
  const points = report.selfServeTrend;
  const height = 220;
  const top = 20;
  const base = 170;
  const step = (W - 80) / Math.max(1, points.length - 1);
  const y = (rate: number) => base - ((base - top) * rate) / 100;
  const xy = points.map((p, i) => ({ x: 50 + i * step, p }));
  const known = xy.filter((d) => d.p.selfServeRate !== null);
  const path = known
    .map((d, i) => `${i === 0 ? 'M' : 'L'}${d.x.toFixed(1)},${y(d.p.selfServeRate!).toFixed(1)}`)
    .join(' ');
  const dots = known
    .map(
      (d) =>
        `<circle class="point" cx="${d.x.toFixed(1)}" cy="${y(d.p.selfServeRate!).toFixed(1)}" r="4" fill="#1f9d55"><title>${e(d.p.isoWeek)}: ${d.p.selfServeRate!.toFixed(1)}% of ${d.p.totalOrders} orders</title></circle>` +
        `<text x="${d.x.toFixed(1)}" y="${(y(d.p.selfServeRate!) - 8).toFixed(1)}" text-anchor="middle">${d.p.selfServeRate!.toFixed(0)}%</text>`,
    )
    .join('');
  const labels = xy
    .map((d) => `<text x="${d.x.toFixed(1)}" y="${base + 18}" text-anchor="middle">${e(d.p.isoWeek.slice(5))}</text>`)
    .join('');
  const target = (rate: number, label: string) =>
    `<line x1="40" x2="${W - 20}" y1="${y(rate)}" y2="${y(rate)}" stroke="#c33" stroke-dasharray="4 3"/><text x="44" y="${y(rate) - 3}" fill="#c33">${label}</text>`;
  return {
    id: 'self-serve-trend',
    title: `Self-serve rate, last ${points.length} weeks`,
    svg: `<svg data-chart="self-serve-trend" role="img" aria-label="Self-serve trend" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-size="11" font-family="sans-serif"><line x1="40" y1="${base}" x2="${W - 20}" y2="${base}" stroke="#999"/>${target(60, 'month 1: 60%')}${target(75, 'month 3: 75%')}${path ? `<path d="${path}" fill="none" stroke="#1f9d55" stroke-width="2"/>` : ''}${dots}${labels}${known.length === 0 ? '<text x="50" y="100">No orders in these weeks</text>' : ''}</svg>`,
    alt: known.length
      ? known.map((d) => `${d.p.isoWeek}: ${d.p.selfServeRate!.toFixed(0)}%`).join('; ')
      : 'No orders in these weeks',
  };
}

/** The report's three charts, in the order they appear. */
export const reportCharts = (report: WeeklyReport): ReportChart[] => [
  trendChart(report),
  histogram(report),
  barChart(
    'top-reasons',
    'Top reasons (issue categories of incidences resolved this week)',
    report.topIssueCategories,
    '#d97706',
  ),
];

function figure(chart: ReportChart, options: ReportRenderOptions): string {
  const body = options.chartImage ? options.chartImage(chart) : chart.svg;
  return `<figure><figcaption>${e(chart.title)}</figcaption>${body}</figure>`;
}

/** A target level's value in its unit: 60%, ₹50, 12 min. */
const inUnit = (value: number, unit: string, digits = 1) =>
  unit === '%' ? `${value.toFixed(digits)}%` : unit === '₹' ? rupees(value) : `${value.toFixed(digits)} ${unit}`;

const level = (l: TargetLevel | { track: true }, unit: string) => {
  if ('track' in l) return 'track';
  const state =
    l.met === null
      ? 'no data'
      : l.met
        ? 'met'
        : `missed by ${unit === '%' ? `${l.gap!.toFixed(1)} pts` : inUnit(l.gap!, unit)}`;
  return `${unit === '%' ? `${l.target}%` : unit === '₹' ? rupees(l.target) : `${l.target} ${unit}`}: ${state}`;
};

/** A report week's India-time days (inclusive), and the week before's. */
export function weekDays(report: WeeklyReport): { from: string; to: string; previous: { from: string; to: string } } {
  const from = istDateOf(report.period.start);
  const to = addDays(istDateOf(report.period.end), -1);
  return { from, to, previous: { from: addDays(from, -7), to: addDays(to, -7) } };
}

/**
 * Which incidences stand behind each metric of the days from…to, as docs/metrics.md defines it: started in them,
 * resolved in them, with an assisted order placed in them, repaired in them; null for figures of all orders (most
 * were placed without an incidence).
 */
function metricFilters(days: { from: string; to: string }): Record<MetricName, Partial<IncidenceFilters> | null> {
  const resolved = { ...days, dates: 'resolved' as const };
  return {
    totalOrders: null,
    assistedOrders: { ...days, dates: 'ordered' },
    selfServeRate: null,
    assistedConversionRate: resolved,
    incidences: days,
    avgTimeToResolveMinutes: resolved,
    medianTimeToResolveMinutes: resolved,
    supportCost: resolved,
    costPerAssistedOrder: resolved,
    repeatFrictionIssues: { ...resolved, repeat: true },
    eventsRepaired: { ...days, dates: 'repaired' },
  };
}

export const SECTIONS = [
  ['recommendations', 'Recommendations'],
  ['key-figures', 'Key figures'],
  ['targets-section', 'Targets'],
  ['response-times-and-slas', 'Response times and SLAs'],
  ['commerce-section', 'Commerce'],
  ['charts', 'Charts'],
  ['breakdowns', 'Breakdowns'],
] as const;

export function renderReportHtml(report: WeeklyReport, options: ReportRenderOptions = {}): string {
  const { from, to, previous: previousDays } = weekDays(report);
  const filters = metricFilters({ from, to });
  const previousFilters = metricFilters(previousDays);
  const metricRows = METRIC_NAMES.map((name) => {
    const m = report.metrics[name];
    const c = report.change[name];
    const previous = report.previousWeek.metrics[name];
    return `<tr data-metric="${name}"><th scope="row">${e(METRIC_LABELS[name].label)}</th><td class="value">${linked(e(formatMetric(name, m)), filters[name], options)}${m.reason ? `<div class="reason">${e(m.reason)}</div>` : ''}</td><td class="previous">${linked(e(formatMetric(name, previous)), previousFilters[name], options)}</td><td>${e(formatChange(c.absolute, c.percent, METRIC_LABELS[name].unit))}</td></tr>`;
  }).join('');
  const targets = report.targets
    .map(
      (t) =>
        `<tr><th scope="row">${e(t.label)}</th><td>${t.value === null ? '—' : linked(e(inUnit(t.value, t.unit)), filters[t.metric], options)}</td><td>${e(level(t.month1, t.unit))}</td><td>${e(level(t.month3, t.unit))}</td></tr>`,
    )
    .join('');
  const recs = report.recommendations.length
    ? `<ol>${report.recommendations.map((r) => `<li class="${r.priority}">${e(r.text)}</li>`).join('')}</ol>`
    : '<p>No recommendation this week.</p>';
  const table = (
    title: string,
    rows: Array<Count & { previous: number; change: number; key?: string }>,
    filterOf: (key: string) => Partial<IncidenceFilters> | null,
  ) =>
    `<h3>${e(title)}</h3>${rows.length ? `<table>${headRow('this week', 'previous', 'change')}${rows.map((r) => `<tr><th scope="row">${e(r.name)}</th><td>${linked(String(r.count), filterOf(r.key ?? r.name), options)}</td><td>${linked(String(r.previous), earlier(filterOf(r.key ?? r.name)), options)}</td><td>${r.change > 0 ? '+' : ''}${r.change}</td></tr>`).join('')}</table>` : '<p>None.</p>'}`;
  const earlier = (f: Partial<IncidenceFilters> | null) => (f ? { ...f, ...previousDays } : null);
  const resolved = { from, to, dates: 'resolved' as const };
  const outcomeOf = (name: string) =>
    (['RESOLVED', 'DROPPED', 'CONVERTED', 'IN_PROGRESS'] as const).find((o) => o === name);
  const impactOf = (name: string) => (['PLACED', 'MODIFIED', 'LOST', 'NONE'] as const).find((o) => o === name);
  const screens = report.topFrictionScreens.map((s) => ({
    ...s,
    key: s.name,
    name: s.topIssue ? `${s.name} (mostly ${s.topIssue})` : s.name,
  }));
  const contents = `<nav class="contents" aria-label="Contents"><h2 id="contents">Contents</h2><ol>${SECTIONS.filter(
    ([id]) => report.support || (id !== 'response-times-and-slas' && id !== 'commerce-section'),
  )
    .map(([id, title]) => `<li><a href="#${id}">${title}</a></li>`)
    .join('')}</ol></nav>`;
  const body = `<h1>Support-led ordering: week ${e(report.isoWeek)}</h1>
<p>${e(dateInWords(from))} to ${e(dateInWords(to))}, India time (${e(report.period.timezone)}). Computed ${e(dateTimeInWords(report.computedAt))}. Previous week: ${e(report.previousWeek.isoWeek)}.${options.reportUrl ? ` <a href="${e(options.reportUrl)}">Open this report in the browser</a>.` : ''}</p>
${contents}
<h2 id="recommendations">Recommendations</h2>${recs}
<h2 id="key-figures">Key figures</h2>
<table id="metrics">${headRow('this week', 'previous', 'change')}${metricRows}</table>
<h2 id="targets-section">Targets</h2>
<table id="targets">${headRow('value', 'month 1', 'month 3')}${targets}</table>
${renderSupportHtml(report, options)}
<h2 id="charts">Charts</h2>
${reportCharts(report)
  .map((chart) => figure(chart, options))
  .join('\n')}
<h2 id="breakdowns">Breakdowns</h2>
${table('Top issue categories', report.topIssueCategories, (category) => ({ ...resolved, category }))}
${table('Top friction screens', screens, (screen) => ({ from, to, screen }))}
${table('Friction signals by type', report.frictionSignals, () => null)}
${table('Outcomes', report.outcomes, (name) => {
  const outcome = outcomeOf(name);
  // Resolved outcomes by when they were resolved; the week's conversations still open by when they started.
  return outcome === 'IN_PROGRESS' ? { from, to, outcome } : outcome ? { ...resolved, outcome } : null;
})}
${table('Order impact', report.orderImpact, (name) => (impactOf(name) ? { ...resolved, impact: impactOf(name) } : null))}
`;
  if (options.fragment) return body;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weekly report ${e(report.isoWeek)}</title>
<style>${REPORT_CSS}</style>
</head><body>
${body}</body></html>
`;
}

/** The report's own style sheet (also the report page's, inside its frame). */
export const REPORT_CSS =
  'body{font-family:sans-serif;max-width:760px;margin:2em auto;color:#222}table{border-collapse:collapse;width:100%;margin-bottom:1em}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}td{text-align:right;font-variant-numeric:tabular-nums}th[scope=col]{text-align:right}.reason{font-size:11px;color:#555}li.high{font-weight:bold}figure{margin:1em 0}figcaption{font-weight:bold;margin-bottom:4px}nav.contents ol{columns:2}';
