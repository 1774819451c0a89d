/** The weekly report's response-time, SLA and commerce section (HTML). Every text from data is escaped. */
import { dateTimeInWords, rupees as money } from './display';
import { addDays, istDateOf } from './iso-week';
import type { IncidenceFilters, WAITS } from './incidence-filters';
import { headRow, linked, escapeHtml as e, type ReportRenderOptions } from './report-format';
import {
  CART_VALUE_TIERS,
  FIRST_RESPONSE_BUCKETS,
  SLA_DIMENSIONS,
  UNKNOWN_DIMENSION,
  type CalendarAndBusiness,
  type DurationStats,
  type SlaDimension,
  type SlaRow,
  type SupportFigures,
} from './support-metrics';
import type { WeeklyReport } from './weekly-report-shape';

type Wait = (typeof WAITS)[number];

const minutes = (s: number | null) => (s === null ? '—' : `${(s / 60).toFixed(1)} min`);
const percent = (p: number | null) => (p === null ? '—' : `${p.toFixed(1)}%`);
const rupees = (v: number) => money(Math.round(v * 100) / 100);

type Filters = Partial<IncidenceFilters>;
type Days = { from: string; to: string };

/** A row of duration figures, each linked to the incidences whose durations they summarise. */
const stats = (s: DurationStats, filters: Filters, options: ReportRenderOptions) =>
  [minutes(s.p50Seconds), minutes(s.p90Seconds), minutes(s.meanSeconds), String(s.count)]
    .map((text) => `<td>${linked(text, filters, options)}</td>`)
    .join('');

function responseTimes(f: SupportFigures, days: Days, options: ReportRenderOptions): string {
  const rows: Array<[string, CalendarAndBusiness, Filters]> = [
    ['First response', f.firstResponse, { ...days, dates: 'answered', response: 'FIRST' }],
    ['Next response', f.nextResponse, { ...days, dates: 'answered', response: 'NEXT' }],
    ['Resolution', f.resolution, { ...days, dates: 'resolved' }],
  ];
  const body = rows
    .flatMap(([label, cb, filters]) => [
      `<tr><th scope="row">${label}, calendar</th>${stats(cb.calendar, filters, options)}</tr>`,
      `<tr><th scope="row">${label}, business hours</th>${stats(cb.business, filters, options)}</tr>`,
    ])
    .join('');
  return `<table id="response-times">${headRow('p50', 'p90', 'mean', 'count')}${body}</table>`;
}

/** The incidences behind an SLA breakdown row: a target settled in the days, with that dimension's value. */
function slaRowFilters(dimension: SlaDimension, name: string, settled: Filters): Filters {
  switch (dimension) {
    case 'agent':
      return { ...settled, agent: name === UNKNOWN_DIMENSION.agent ? 'none' : name };
    case 'eventType':
      return { ...settled, event: name === UNKNOWN_DIMENSION.eventType ? 'none' : name };
    case 'category':
      return { ...settled, category: name === UNKNOWN_DIMENSION.category ? 'none' : name };
    case 'tier': {
      const i = CART_VALUE_TIERS.findIndex((t) => t.name === name);
      return { ...settled, tier: i === -1 ? 'none' : String(i) };
    }
    case 'target':
      return { ...settled, target: name as IncidenceFilters['target'] };
    case 'policy':
      return { ...settled, policy: name };
  }
}

const slaTable = (title: string, dimension: SlaDimension, rows: SlaRow[], days: Days, options: ReportRenderOptions) =>
  `<h3>${e(title)}</h3>${
    rows.length
      ? `<table>${headRow('met', 'missed', '% met')}${rows
          .map((r) => {
            const name = dimension === 'agent' ? (options.agentNames?.get(r.name) ?? r.name) : r.name;
            const settled = slaRowFilters(dimension, r.name, { ...days, dates: 'settled' });
            return `<tr><th scope="row">${e(name)}</th><td>${linked(String(r.met), { ...settled, result: 'MET' }, options)}</td><td>${linked(String(r.missed), { ...settled, result: 'MISSED' }, options)}</td><td>${linked(percent(r.metPercent), settled, options)}</td></tr>`;
          })
          .join('')}</table>`
      : '<p>No SLA settled.</p>'
  }`;

export function renderSupportHtml(report: WeeklyReport, options: ReportRenderOptions = {}): string {
  if (!report.support) return ''; // stored before these figures existed
  const days: Days = { from: istDateOf(report.period.start), to: addDays(istDateOf(report.period.end), -1) };
  const week = { ...days, dates: 'resolved' as const };
  const settled = { ...days, dates: 'settled' as const };
  const f = report.support.current;
  const risk = report.support.cartValueAtRisk;
  const answered = { ...days, dates: 'answered' as const, response: 'FIRST' as const };
  const distribution = f.firstResponseDistribution
    .map(
      (b, i) =>
        `<tr><th scope="row">${e(b.name)}</th><td>${linked(String(b.count), { ...answered, wait: String(i) as Wait }, options)}</td></tr>`,
    )
    .join('');
  const conversion = f.conversionByFirstResponse
    .map((r, i) => {
      const closed = { ...week, wait: (i < FIRST_RESPONSE_BUCKETS.length ? String(i) : 'none') as Wait };
      const converted = { ...closed, outcome: 'CONVERTED' as const };
      return `<tr><th scope="row">${e(r.name)}</th><td>${linked(String(r.closed), closed, options)}</td><td>${linked(String(r.converted), converted, options)}</td><td>${linked(percent(r.conversionPercent), closed, options)}</td></tr>`;
    })
    .join('');
  return `<h2 id="response-times-and-slas">Response times and SLAs</h2>
${responseTimes(f, days, options)}
<p>SLAs met: ${linked(percent(f.slaMet.overall.metPercent), settled, options)} (${linked(`${f.slaMet.overall.met} met`, { ...settled, result: 'MET' }, options)}, ${linked(`${f.slaMet.overall.missed} missed`, { ...settled, result: 'MISSED' }, options)}). Reopen rate: ${linked(percent(f.reopenRate), week, options)} (${linked(`${f.reopened} reopened`, { ...week, reopened: true }, options)}).</p>
<h3>First response times</h3><table id="first-response-distribution">${headRow('responses')}${distribution}</table>
${slaTable('SLAs by target', 'target', f.slaMet.target, days, options)}
${slaTable('SLAs by policy', 'policy', f.slaMet.policy, days, options)}
${slaTable('SLAs by cart value tier', 'tier', f.slaMet.tier, days, options)}
${slaTable('SLAs by event type', 'eventType', f.slaMet.eventType, days, options)}
${slaTable('SLAs by category', 'category', f.slaMet.category, days, options)}
${slaTable('SLAs by agent', 'agent', f.slaMet.agent, days, options)}
<h2 id="commerce-section">Commerce</h2>
<table id="commerce">
<tr><th scope="row">Revenue rescued (assisted orders)</th><td>${linked(rupees(f.revenueRescued), { ...days, dates: 'ordered' }, options)}</td></tr>
<tr><th scope="row">Cart value lost (${linked(`${f.droppedIncidences} dropped`, { ...week, outcome: 'DROPPED' }, options)})</th><td>${linked(rupees(f.cartValueLost), { ...week, outcome: 'DROPPED' }, options)}</td></tr>
<tr><th scope="row">Cart value at risk when computed (${linked(`${risk.openConversations} open`, { state: 'open' }, options)}, ${e(dateTimeInWords(risk.asOf))})</th><td>${linked(rupees(risk.value), { state: 'open' }, options)}</td></tr>
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
