/** The weekly report's response-time, SLA and commerce section (HTML). Every text from data is escaped. */
import { escapeHtml as e } from './report-format';
import {
  SLA_DIMENSIONS,
  type CalendarAndBusiness,
  type DurationStats,
  type SlaRow,
  type SupportFigures,
} from './support-metrics';
import type { WeeklyReport } from './weekly-report';

const minutes = (s: number | null) => (s === null ? '—' : `${(s / 60).toFixed(1)} min`);
const percent = (p: number | null) => (p === null ? '—' : `${p.toFixed(1)}%`);
const rupees = (v: number) => `₹${v.toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

const stats = (s: DurationStats) =>
  `<td>${minutes(s.p50Seconds)}</td><td>${minutes(s.p90Seconds)}</td><td>${minutes(s.meanSeconds)}</td><td>${s.count}</td>`;

function responseTimes(f: SupportFigures): string {
  const rows: Array<[string, CalendarAndBusiness]> = [
    ['First response', f.firstResponse],
    ['Next response', f.nextResponse],
    ['Resolution', f.resolution],
  ];
  const body = rows
    .flatMap(([label, cb]) => [
      `<tr><th>${label}, calendar</th>${stats(cb.calendar)}</tr>`,
      `<tr><th>${label}, business hours</th>${stats(cb.business)}</tr>`,
    ])
    .join('');
  return `<table id="response-times"><tr><th></th><th>p50</th><th>p90</th><th>mean</th><th>count</th></tr>${body}</table>`;
}

const slaTable = (title: string, rows: SlaRow[]) =>
  `<h3>${e(title)}</h3>${
    rows.length
      ? `<table><tr><th></th><th>met</th><th>missed</th><th>% met</th></tr>${rows
          .map(
            (r) =>
              `<tr><th>${e(r.name)}</th><td>${r.met}</td><td>${r.missed}</td><td>${percent(r.metPercent)}</td></tr>`,
          )
          .join('')}</table>`
      : '<p>No SLA settled.</p>'
  }`;

export function renderSupportHtml(report: WeeklyReport): string {
  if (!report.support) return ''; // stored before these figures existed
  const f = report.support.current;
  const risk = report.support.cartValueAtRisk;
  const distribution = f.firstResponseDistribution
    .map((b) => `<tr><th>${e(b.name)}</th><td>${b.count}</td></tr>`)
    .join('');
  const conversion = f.conversionByFirstResponse
    .map(
      (r) =>
        `<tr><th>${e(r.name)}</th><td>${r.closed}</td><td>${r.converted}</td><td>${percent(r.conversionPercent)}</td></tr>`,
    )
    .join('');
  return `<h2>Response times and SLAs</h2>
${responseTimes(f)}
<p>SLAs met: ${percent(f.slaMet.overall.metPercent)} (${f.slaMet.overall.met} met, ${f.slaMet.overall.missed} missed). Reopen rate: ${percent(f.reopenRate)} (${f.reopened} reopened).</p>
<h3>First response times</h3><table id="first-response-distribution"><tr><th></th><th>responses</th></tr>${distribution}</table>
${slaTable('SLAs by target', f.slaMet.target)}
${slaTable('SLAs by policy', f.slaMet.policy)}
${slaTable('SLAs by cart value tier', f.slaMet.tier)}
${slaTable('SLAs by event type', f.slaMet.eventType)}
${slaTable('SLAs by category', f.slaMet.category)}
${slaTable('SLAs by agent', f.slaMet.agent)}
<h2>Commerce</h2>
<table id="commerce">
<tr><th>Revenue rescued (assisted orders)</th><td>${rupees(f.revenueRescued)}</td></tr>
<tr><th>Cart value lost (${f.droppedIncidences} dropped)</th><td>${rupees(f.cartValueLost)}</td></tr>
<tr><th>Cart value at risk now (${risk.openConversations} open, ${e(risk.asOf)})</th><td>${rupees(risk.value)}</td></tr>
</table>
<h3>Conversion by first response time</h3><table id="conversion-by-first-response"><tr><th></th><th>resolved</th><th>converted</th><th>conversion</th></tr>${conversion}</table>
`;
}

/** CSV rows of the same figures: [section, name, this week, previous week, change, note]. */
export function supportCsvRows(report: WeeklyReport): Array<Array<string | number | null>> {
  if (!report.support) return [];
  const f = report.support.current;
  const p = report.support.previous;
  const rows: Array<Array<string | number | null>> = [];
  for (const key of ['firstResponse', 'nextResponse', 'resolution'] as const)
    for (const clock of ['calendar', 'business'] as const)
      for (const stat of ['p50Seconds', 'p90Seconds', 'meanSeconds'] as const)
        rows.push([
          'response_time',
          `${key} ${clock} ${stat}`,
          f[key][clock][stat],
          p?.[key][clock][stat] ?? null,
          null,
          null,
        ]);
  for (const b of f.firstResponseDistribution)
    rows.push(['first_response_distribution', b.name, b.count, null, null, null]);
  rows.push(['sla_met', 'overall', f.slaMet.overall.metPercent, p?.slaMet.overall.metPercent ?? null, null, null]);
  for (const dimension of SLA_DIMENSIONS)
    for (const r of f.slaMet[dimension])
      rows.push([`sla_met_by_${dimension}`, r.name, r.metPercent, null, null, `${r.met} met, ${r.missed} missed`]);
  rows.push(['reopen_rate', 'reopen rate %', f.reopenRate, p?.reopenRate ?? null, null, `${f.reopened} reopened`]);
  rows.push(['commerce', 'revenue rescued', f.revenueRescued, p?.revenueRescued ?? null, null, null]);
  rows.push([
    'commerce',
    'cart value lost',
    f.cartValueLost,
    p?.cartValueLost ?? null,
    null,
    `${f.droppedIncidences} dropped`,
  ]);
  rows.push([
    'commerce',
    'cart value at risk',
    report.support.cartValueAtRisk.value,
    null,
    null,
    report.support.cartValueAtRisk.asOf,
  ]);
  for (const r of f.conversionByFirstResponse)
    rows.push([
      'conversion_by_first_response',
      r.name,
      r.conversionPercent,
      null,
      null,
      `${r.converted} of ${r.closed}`,
    ]);
  return rows;
}
