/** The weekly report as CSV: one row per figure (section, name, this week, previous week, change, note). */
import { supportCsvRows } from './support-html';
import { METRIC_LABELS } from './weekly-report';
import { METRIC_NAMES, type WeeklyReport } from './weekly-report-shape';

const cell = (v: string | number | null | undefined): string => {
  if (v === null || v === undefined) return '';
  const text = typeof v === 'number' ? String(Math.round(v * 100) / 100) : v;
  // Quote always when needed, and defuse spreadsheet formulas in data.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof v === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function renderReportCsv(report: WeeklyReport): string {
  const lines: Array<Array<string | number | null | undefined>> = [
    ['section', 'name', 'this_week', 'previous_week', 'change', 'note'],
  ];
  for (const name of METRIC_NAMES) {
    const m = report.metrics[name];
    lines.push([
      'metric',
      `${METRIC_LABELS[name].label} (${METRIC_LABELS[name].unit})`,
      m.value,
      report.previousWeek.metrics[name].value,
      report.change[name].absolute,
      m.reason,
    ]);
  }
  for (const t of report.targets) {
    const m3 = t.month3;
    lines.push([
      'target',
      `${t.label} month 3 target ${m3.target}`,
      t.value,
      null,
      null,
      m3.met === null ? 'no data' : m3.met ? 'met' : `missed by ${m3.gap}`,
    ]);
  }
  const breakdowns = [
    ['issue_category', report.topIssueCategories],
    ['friction_screen', report.topFrictionScreens],
    ['friction_signal', report.frictionSignals],
    ['outcome', report.outcomes],
    ['order_impact', report.orderImpact],
  ] as const;
  for (const [section, rows] of breakdowns)
    for (const r of rows) lines.push([section, r.name, r.count, r.previous, r.change, null]);
  for (const b of report.timeToResolveDistribution) lines.push(['time_to_resolve', b.name, b.count, null, null, null]);
  for (const p of report.selfServeTrend)
    lines.push([
      'self_serve_trend',
      p.isoWeek,
      p.selfServeRate,
      null,
      null,
      `${p.totalOrders} orders, ${p.assistedOrders} assisted`,
    ]);
  lines.push(...supportCsvRows(report));
  for (const r of report.recommendations) lines.push(['recommendation', r.rule, null, null, null, r.text]);
  return lines.map((l) => l.map(cell).join(',')).join('\r\n') + '\r\n';
}
