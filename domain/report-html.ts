/**
 * The weekly report as one self-contained HTML page: no scripts, no external assets, charts as inline SVG
 * (self-serve trend, time-to-resolve distribution, top reasons). Every text from data is escaped.
 */
import { addDays, istDateOf } from './iso-week';
import { renderSupportHtml } from './support-html';
import { formatChange, formatMetric, escapeHtml as e } from './report-format';
import { METRIC_LABELS, METRIC_NAMES, type Count, type TargetLevel, type WeeklyReport } from './weekly-report';

const W = 640;

function barChart(id: string, title: string, rows: Count[], color: string): string {
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
  return `<figure><figcaption>${e(title)}</figcaption><svg data-chart="${id}" role="img" aria-label="${e(title)}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-size="12" font-family="sans-serif">${bars}${empty}</svg></figure>`;
}

function histogram(report: WeeklyReport): string {
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
  return `<figure><figcaption>Time to resolve (incidences resolved this week)</figcaption><svg data-chart="time-to-resolve" role="img" aria-label="Time to resolve distribution" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-size="11" font-family="sans-serif"><line x1="20" y1="${base}" x2="${W - 20}" y2="${base}" stroke="#999"/>${bars}</svg></figure>`;
}

function trendChart(report: WeeklyReport): string {
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
  return `<figure><figcaption>Self-serve rate, last ${points.length} weeks</figcaption><svg data-chart="self-serve-trend" role="img" aria-label="Self-serve trend" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-size="11" font-family="sans-serif"><line x1="40" y1="${base}" x2="${W - 20}" y2="${base}" stroke="#999"/>${target(60, 'month 1: 60%')}${target(75, 'month 3: 75%')}${path ? `<path d="${path}" fill="none" stroke="#1f9d55" stroke-width="2"/>` : ''}${dots}${labels}${known.length === 0 ? '<text x="50" y="100">No orders in these weeks</text>' : ''}</svg></figure>`;
}

const level = (l: TargetLevel | { track: true }, unit: string) => {
  if ('track' in l) return 'track';
  const state =
    l.met === null ? 'no data' : l.met ? 'met' : `missed by ${l.gap!.toFixed(1)}${unit === '%' ? ' pts' : ` ${unit}`}`;
  return `${l.target}${unit === '%' ? '%' : ` ${unit}`}: ${state}`;
};

export function renderReportHtml(report: WeeklyReport): string {
  const metricRows = METRIC_NAMES.map((name) => {
    const m = report.metrics[name];
    const c = report.change[name];
    const previous = report.previousWeek.metrics[name];
    return `<tr data-metric="${name}"><th>${e(METRIC_LABELS[name].label)}</th><td class="value">${e(formatMetric(name, m))}${m.reason ? `<div class="reason">${e(m.reason)}</div>` : ''}</td><td>${e(formatMetric(name, previous))}</td><td>${e(formatChange(c.absolute, c.percent, METRIC_LABELS[name].unit))}</td></tr>`;
  }).join('');
  const targets = report.targets
    .map(
      (t) =>
        `<tr><th>${e(t.label)}</th><td>${t.value === null ? '—' : e(t.value.toFixed(1))}</td><td>${e(level(t.month1, t.unit))}</td><td>${e(level(t.month3, t.unit))}</td></tr>`,
    )
    .join('');
  const recs = report.recommendations.length
    ? `<ol>${report.recommendations.map((r) => `<li class="${r.priority}">${e(r.text)}</li>`).join('')}</ol>`
    : '<p>No recommendation this week.</p>';
  const table = (title: string, rows: Array<Count & { previous: number; change: number }>) =>
    `<h3>${e(title)}</h3>${rows.length ? `<table><tr><th></th><th>this week</th><th>previous</th><th>change</th></tr>${rows.map((r) => `<tr><th>${e(r.name)}</th><td>${r.count}</td><td>${r.previous}</td><td>${r.change > 0 ? '+' : ''}${r.change}</td></tr>`).join('')}</table>` : '<p>None.</p>'}`;
  const screens = report.topFrictionScreens.map((s) => ({
    ...s,
    name: s.topIssue ? `${s.name} (mostly ${s.topIssue})` : s.name,
  }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weekly report ${e(report.isoWeek)}</title>
<style>body{font-family:sans-serif;max-width:720px;margin:2em auto;color:#222}table{border-collapse:collapse;width:100%;margin-bottom:1em}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}td{text-align:right}.reason{font-size:11px;color:#777}li.high{font-weight:bold}figure{margin:1em 0}figcaption{font-weight:bold;margin-bottom:4px}</style>
</head><body>
<h1>Support-led ordering: week ${e(report.isoWeek)}</h1>
<p>Monday ${e(istDateOf(report.period.start))} to Sunday ${e(addDays(istDateOf(report.period.end), -1))}, India time (${e(report.period.timezone)}). Computed ${e(report.computedAt)}. Previous week: ${e(report.previousWeek.isoWeek)}.</p>
<h2>Recommendations</h2>${recs}
<h2>Key figures</h2>
<table id="metrics"><tr><th></th><th>this week</th><th>previous</th><th>change</th></tr>${metricRows}</table>
<h2>Targets</h2>
<table id="targets"><tr><th></th><th>value</th><th>month 1</th><th>month 3</th></tr>${targets}</table>
${renderSupportHtml(report)}
<h2>Charts</h2>
${trendChart(report)}
${histogram(report)}
${barChart('top-reasons', 'Top reasons (issue categories of incidences resolved this week)', report.topIssueCategories, '#d97706')}
<h2>Breakdowns</h2>
${table('Top issue categories', report.topIssueCategories)}
${table('Top friction screens', screens)}
${table('Friction signals by type', report.frictionSignals)}
${table('Outcomes', report.outcomes)}
${table('Order impact', report.orderImpact)}
</body></html>
`;
}
