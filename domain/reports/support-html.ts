/** The weekly report's response-time, SLA and commerce section (HTML). Every text from data is escaped. */
import { dateTimeInWords, rupees as money } from './display';
import { addDays, istDateOf } from './iso-week';
import type { IncidenceFilters } from './incidence-filters';
import { headRow, linked, escapeHtml as e, type ReportRenderOptions } from './report-format';
import {
  CART_VALUE_TIERS,
  SLA_DIMENSIONS,
  type CalendarAndBusiness,
  type DurationStats,
  type SlaDimension,
  type SlaRow,
  type SupportFigures,
} from './support-metrics';
import type { WeeklyReport } from './weekly-report-shape';

const minutes = (s: number | null) => (s === null ? '—' : `${(s / 60).toFixed(1)} min`);
const percent = (p: number | null) => (p === null ? '—' : `${p.toFixed(1)}%`);
const rupees = (v: number) => money(Math.round(v * 100) / 100);

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
      `<tr><th scope="row">${label}, calendar</th>${stats(cb.calendar)}</tr>`,
      `<tr><th scope="row">${label}, business hours</th>${stats(cb.business)}</tr>`,
    ])
    .join('');
  return `<table id="response-times">${headRow('p50', 'p90', 'mean', 'count')}${body}</table>`;
}

/** The incidences behind an SLA breakdown row (resolved in the week, with that dimension's value). */
function slaRowFilters(dimension: SlaDimension, name: string, week: Partial<IncidenceFilters>) {
  switch (dimension) {
    case 'agent':
      return { ...week, agent: name === 'unassigned' ? 'none' : name };
    case 'eventType':
      return name === 'no event type' ? week : { ...week, event: name };
    case 'category':
      return name === 'uncategorised' ? week : { ...week, category: name };
    case 'tier': {
      const i = CART_VALUE_TIERS.findIndex((t) => t.name === name);
      return { ...week, tier: i === -1 ? 'none' : String(i) };
    }
    case 'target':
      return { ...week, missed: name as IncidenceFilters['missed'] };
    default:
      return week;
  }
}

const slaTable = (
  title: string,
  dimension: SlaDimension,
  rows: SlaRow[],
  week: Partial<IncidenceFilters>,
  options: ReportRenderOptions,
) =>
  `<h3>${e(title)}</h3>${
    rows.length
      ? `<table>${headRow('met', 'missed', '% met')}${rows
          .map((r) => {
            const name = dimension === 'agent' ? (options.agentNames?.get(r.name) ?? r.name) : r.name;
            const filters = slaRowFilters(dimension, r.name, week);
            return `<tr><th scope="row">${e(name)}</th><td>${r.met}</td><td>${linked(String(r.missed), filters, options)}</td><td>${percent(r.metPercent)}</td></tr>`;
          })
          .join('')}</table>`
      : '<p>No SLA settled.</p>'
  }`;

export function renderSupportHtml(report: WeeklyReport, options: ReportRenderOptions = {}): string {
  if (!report.support) return ''; // stored before these figures existed
  const week = {
    from: istDateOf(report.period.start),
    to: addDays(istDateOf(report.period.end), -1),
    dates: 'resolved' as const,
  };
  const f = report.support.current;
  const risk = report.support.cartValueAtRisk;
  const distribution = f.firstResponseDistribution
    .map((b) => `<tr><th scope="row">${e(b.name)}</th><td>${b.count}</td></tr>`)
    .join('');
  const conversion = f.conversionByFirstResponse
    .map(
      (r) =>
        `<tr><th scope="row">${e(r.name)}</th><td>${r.closed}</td><td>${r.converted}</td><td>${percent(r.conversionPercent)}</td></tr>`,
    )
    .join('');
  return `<h2 id="response-times-and-slas">Response times and SLAs</h2>
${responseTimes(f)}
<p>SLAs met: ${percent(f.slaMet.overall.metPercent)} (${f.slaMet.overall.met} met, ${f.slaMet.overall.missed} missed). Reopen rate: ${percent(f.reopenRate)} (${f.reopened} reopened).</p>
<h3>First response times</h3><table id="first-response-distribution">${headRow('responses')}${distribution}</table>
${slaTable('SLAs by target', 'target', f.slaMet.target, week, options)}
${slaTable('SLAs by policy', 'policy', f.slaMet.policy, week, options)}
${slaTable('SLAs by cart value tier', 'tier', f.slaMet.tier, week, options)}
${slaTable('SLAs by event type', 'eventType', f.slaMet.eventType, week, options)}
${slaTable('SLAs by category', 'category', f.slaMet.category, week, options)}
${slaTable('SLAs by agent', 'agent', f.slaMet.agent, week, options)}
<h2 id="commerce-section">Commerce</h2>
<table id="commerce">
<tr><th scope="row">Revenue rescued (assisted orders)</th><td>${rupees(f.revenueRescued)}</td></tr>
<tr><th scope="row">Cart value lost (${f.droppedIncidences} dropped)</th><td>${linked(rupees(f.cartValueLost), { ...week, outcome: 'DROPPED' }, options)}</td></tr>
<tr><th scope="row">Cart value at risk when computed (${risk.openConversations} open, ${e(dateTimeInWords(risk.asOf))})</th><td>${linked(rupees(risk.value), { state: 'open' }, options)}</td></tr>
</table>
<h3>Conversion by first response time</h3><table id="conversion-by-first-response">${headRow('resolved', 'converted', 'conversion')}${conversion}</table>
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
