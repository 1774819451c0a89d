/** The report pages: the weekly report with a week picker, any range of days, and the weekday × hour heatmap. */
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { dateInWords, duration } from '../../domain/reports/display';
import { FilterError, type IncidenceFilters } from '../../domain/reports/incidence-filters';
import {
  addDays,
  addWeeks,
  daysBetween,
  isoWeekOf,
  istDateOf,
  parseIsoDate,
  parseIsoWeek,
  dayBounds,
} from '../../domain/reports/iso-week';
import { renderReportHtml } from '../../domain/reports/report-html';
import type { AgentNames } from '../../clients/agent-names';
import { readHeatmaps, type Heatmap } from '../../stores/heatmap-store';
import { readDaily, type DailyRow } from '../../stores/analytics-daily-store';
import { readWeeklyReport } from '../../stores/weekly-report-store';
import { Head, incidencesHref, Page, type View } from './layout';

export const MAX_DAYS = 366;
export const DEFAULT_DAYS = 14;
export const HEATMAP_DEFAULT_DAYS = 28;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

interface ReportRouteDeps {
  viewer: Middleware;
  page: (render: (ctx: Context) => Promise<preact.VNode | null>) => Middleware;
  viewOf: (ctx: Context, agents: Map<string, string>) => View;
  pool: DatabasePool;
  agentNames: AgentNames;
}

/** from/to from the query (India dates, inclusive), else the last `days` days up to today. */
function dayRange(ctx: Context, now: Date, days: number): { from: string; to: string } {
  const read = (name: string) => {
    const v = typeof ctx.query[name] === 'string' ? (ctx.query[name] as string) : '';
    if (v === '') return undefined;
    const d = parseIsoDate(v);
    if (!d) throw new FilterError(name, `${name}: "${v}" is not a date YYYY-MM-DD`);
    return d;
  };
  const to = read('to') ?? istDateOf(now);
  const from = read('from') ?? addDays(to, -(days - 1));
  const n = daysBetween(from, to);
  if (n < 1) throw new FilterError('from', `from (${from}) is after to (${to})`);
  if (n > MAX_DAYS) throw new FilterError('to', `at most ${MAX_DAYS} days at once; asked for ${n}`);
  return { from, to };
}

function RangeForm(props: { action: string; from: string; to: string }) {
  return (
    <form class="filters" method="get" action={props.action} aria-label="Days">
      <label>
        From (India date)
        <input type="date" name="from" value={props.from} />
      </label>
      <label>
        To (India date)
        <input type="date" name="to" value={props.to} />
      </label>
      <button type="submit">Show</button>
    </form>
  );
}

function WeeklyReportPage(props: { isoWeek: string; html: string | null; view: View }) {
  const { isoWeek, view } = props;
  return (
    <Page title={`Weekly report ${isoWeek}`} view={view}>
      <form class="filters" method="get" action="/reports/weekly" aria-label="Week">
        <label>
          Week
          <input type="week" name="week" value={isoWeek} />
        </label>
        <button type="submit">Show week</button>
        <a href={`/reports/weekly?week=${addWeeks(isoWeek, -1)}`}>Previous week</a>
        <a href={`/reports/weekly?week=${addWeeks(isoWeek, 1)}`}>Next week</a>
      </form>
      {props.html === null ? (
        <p class="error" role="status">
          No report is stored for {isoWeek}. Reports are computed when a conversation of that week is resolved, and
          every Monday at 07:00 India time for the week before.
        </p>
      ) : (
        <div class="report" dangerouslySetInnerHTML={{ __html: props.html }} />
      )}
    </Page>
  );
}

function DaysPage(props: { from: string; to: string; rows: DailyRow[]; view: View }) {
  const { rows, view } = props;
  const byDate = new Map(rows.map((r) => [r.date, r]));
  const days = Array.from({ length: daysBetween(props.from, props.to) }, (_, i) => addDays(props.from, i));
  return (
    <Page title="Days" view={view}>
      <RangeForm action="/reports/days" from={props.from} to={props.to} />
      <table>
        <caption>
          {dateInWords(props.from)} to {dateInWords(props.to)}, India time
        </caption>
        <Head
          columns={[
            'Day',
            ['Orders', 'num'],
            ['Without help', 'num'],
            ['With help', 'num'],
            ['Incidences', 'num'],
            ['Average time to resolve', 'num'],
            ['SLAs met', 'num'],
          ]}
        />
        <tbody>
          {days.map((date) => {
            const r = byDate.get(date);
            const sla = r?.support?.slaMet.overall;
            return (
              <tr data-day={date}>
                <th scope="row">{dateInWords(date)}</th>
                {r ? (
                  <>
                    <td class="num">{r.total_orders}</td>
                    <td class="num">{r.orders_without_help}</td>
                    <td class="num">
                      <a href={incidencesHref({ from: date, to: date, dates: 'ordered' })}>{r.orders_with_help}</a>
                    </td>
                    <td class="num">
                      <a href={incidencesHref({ from: date, to: date })}>{r.total_incidences}</a>
                    </td>
                    <td class="num">
                      <a href={incidencesHref({ from: date, to: date, dates: 'resolved' })}>
                        {duration(r.avg_time_to_resolve_seconds)}
                      </a>
                    </td>
                    <td class="num">
                      {sla && sla.metPercent !== null ? (
                        <a href={incidencesHref({ from: date, to: date, dates: 'settled' })}>
                          {`${sla.metPercent.toFixed(1)}% (${sla.met} of ${sla.met + sla.missed})`}
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                  </>
                ) : (
                  <td colSpan={6}>Not aggregated yet (the daily schedule runs at 00:15 India time).</td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </Page>
  );
}

/** A shade per count (dark text on every shade keeps its contrast). */
const shade = (n: number, max: number) => `background:hsl(210,90%,${Math.round(97 - (42 * n) / Math.max(1, max))}%)`;

/** A heatmap's figures and the incidences behind each: a cell's, a weekday's (row total). */
interface HeatLinks {
  cell: (weekday: number, hour: number) => string;
  day: (weekday: number) => string;
}

function HeatTable(props: { id: string; title: string; map: Heatmap; links: HeatLinks }) {
  const max = Math.max(0, ...props.map.flat());
  return (
    <>
      <h2 id={props.id}>{props.title}</h2>
      <table class="heat" aria-labelledby={props.id} data-heatmap={props.id}>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {Array.from({ length: 24 }, (_, h) => (
              <th scope="col">{String(h).padStart(2, '0')}</th>
            ))}
            <th scope="col" class="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {props.map.map((hours, d) => (
            <tr>
              <th scope="row">{WEEKDAYS[d]}</th>
              {hours.map((n, h) => (
                <td style={shade(n, max)} title={`${WEEKDAYS[d]} ${h}:00–${h + 1}:00: ${n}`}>
                  {n > 0 && (
                    <a href={props.links.cell(d + 1, h)} aria-label={`${WEEKDAYS[d]} ${h}:00 to ${h + 1}:00: ${n}`}>
                      {n}
                    </a>
                  )}
                </td>
              ))}
              <td class="num">
                <a href={props.links.day(d + 1)}>{hours.reduce((a, b) => a + b, 0)}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function HeatmapPage(props: { from: string; to: string; started: Heatmap; missed: Heatmap; view: View }) {
  const days = { from: props.from, to: props.to };
  // Missed first responses by when the customer began waiting: the target's start.
  const missed = { ...days, dates: 'waited', target: 'FIRST_RESPONSE', result: 'MISSED' } as const;
  const linksOf = (f: Partial<IncidenceFilters>): HeatLinks => ({
    cell: (weekday, hour) => incidencesHref({ ...f, weekday, hour }, { sort: 'oldest' }),
    day: (weekday) => incidencesHref({ ...f, weekday }, { sort: 'oldest' }),
  });
  return (
    <Page title="Volume by weekday and hour" view={props.view}>
      <RangeForm action="/reports/heatmap" from={props.from} to={props.to} />
      <p class="meta">
        {dateInWords(props.from)} to {dateInWords(props.to)}; hours in India time. Darker is more.{' '}
        <a href={incidencesHref({ from: props.from, to: props.to })}>The conversations started in these days</a>
        {' · '}
        <a href={incidencesHref(missed)}>Those whose first response was missed</a>
      </p>
      <HeatTable id="started" title="Conversations started" map={props.started} links={linksOf(days)} />
      <HeatTable
        id="missed"
        title="First responses missed (by when the customer began waiting)"
        map={props.missed}
        links={linksOf(missed)}
      />
    </Page>
  );
}

const latestWeek = z.object({ iso_week: z.string() });

export function reportRoutes(router: Router, deps: ReportRouteDeps): void {
  router.get(
    '/reports/weekly',
    deps.viewer,
    deps.page(async (ctx) => {
      const asked = typeof ctx.query.week === 'string' && ctx.query.week !== '' ? ctx.query.week : undefined;
      if (asked !== undefined && !parseIsoWeek(asked))
        throw new FilterError('week', `week: "${asked}" is not an ISO week like 2026-W48`);
      const isoWeek =
        asked ??
        (await deps.pool.maybeOneFirst(sql.type(latestWeek)`SELECT max(iso_week) AS iso_week FROM weekly_reports`)) ??
        isoWeekOf(addDays(istDateOf(new Date()), -7));
      const stored = await readWeeklyReport(deps.pool, isoWeek);
      const agents = stored
        ? await deps.agentNames.namesOf(stored.report.support?.current.slaMet.agent.map((r) => r.name) ?? [])
        : new Map<string, string>();
      const html = stored
        ? renderReportHtml(stored.report, {
            fragment: true,
            agentNames: agents,
            incidencesUrl: (f) => incidencesHref(f),
          })
        : null;
      return <WeeklyReportPage isoWeek={isoWeek} html={html} view={deps.viewOf(ctx, agents)} />;
    }),
  );

  router.get(
    '/reports/days',
    deps.viewer,
    deps.page(async (ctx) => {
      const view = deps.viewOf(ctx, new Map());
      const { from, to } = dayRange(ctx, view.now, DEFAULT_DAYS);
      const rows = await readDaily(deps.pool, from, to);
      return <DaysPage from={from} to={to} rows={rows} view={view} />;
    }),
  );

  router.get(
    '/reports/heatmap',
    deps.viewer,
    deps.page(async (ctx) => {
      const view = deps.viewOf(ctx, new Map());
      const { from, to } = dayRange(ctx, view.now, HEATMAP_DEFAULT_DAYS);
      const maps = await readHeatmaps(deps.pool, { start: dayBounds(from).start, end: dayBounds(to).end });
      return <HeatmapPage from={from} to={to} started={maps.started} missed={maps.firstResponsesMissed} view={view} />;
    }),
  );
}
