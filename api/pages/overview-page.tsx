/** The live overview: what is open now, for the filters chosen; refreshes itself every 30 seconds. */
import { words } from '../../domain/reports/display';
import type { IncidenceFilters } from '../../domain/reports/incidence-filters';
import type { IncidencePage, IncidenceRow } from '../../stores/incidence-list-store';
import type { DueTarget, OverviewCounts } from '../../stores/overview-store';
import { FilterForm } from './filter-form';
import { Pager } from './pager';
import { Agent, Head, incidencesHref, Money, Page, When, type View } from './layout';

export const REFRESH_SECONDS = 30;
export const OVERVIEW_TABLE_ROWS = 25;

export interface OverviewData {
  filters: IncidenceFilters;
  counts: OverviewCounts;
  dueSoon: readonly DueTarget[];
  unattended: IncidencePage;
  open: IncidencePage;
  /** Whether the open list is past its first page. */
  paged: boolean;
  withinMinutes: number;
}

function ConversationRows(props: { rows: IncidenceRow[]; view: View; empty: string }) {
  if (props.rows.length === 0)
    return (
      <tr>
        <td colSpan={7}>{props.empty}</td>
      </tr>
    );
  return (
    <>
      {props.rows.map((r) => (
        <tr>
          <td>
            <a href={`/incidences/${r.id}`}>{r.conversation_id}</a>
          </td>
          <td>{r.user_id ?? '—'}</td>
          <td class="num">
            <Money value={r.cart_value} />
          </td>
          <td>{words(r.event_type)}</td>
          <td>
            <Agent id={r.agent_id} view={props.view} />
          </td>
          <td>
            <When at={r.waiting_since} view={props.view} />
          </td>
          <td class={r.sla_status ?? undefined}>{words(r.sla_status)}</td>
        </tr>
      ))}
    </>
  );
}

const conversationHead = (
  <Head columns={['Conversation', 'Customer', ['Cart value', 'num'], 'Event', 'Agent', 'Waiting since', 'SLA']} />
);

export function OverviewPage(props: { data: OverviewData; view: View }) {
  const { data, view } = props;
  const f = data.filters;
  const tiles: Array<[string, string | preact.JSX.Element, string]> = [
    ['Open conversations', String(data.counts.open), incidencesHref({ ...f, state: 'open' })],
    ['Unattended', String(data.counts.unattended), incidencesHref({ ...f, state: 'unattended' }, { sort: 'oldest' })],
    [
      `SLAs due within ${data.withinMinutes} min`,
      String(data.counts.dueSoon),
      incidencesHref({ ...f, state: 'due_soon' }, { sort: 'oldest' }),
    ],
    [
      'Cart value at risk',
      <Money value={data.counts.cartValueAtRisk} />,
      incidencesHref({ ...f, state: 'open' }, { sort: 'cart' }),
    ],
  ];
  return (
    <Page title="Support overview" view={view}>
      <FilterForm action="/overview" fields={['sla', 'agent', 'event', 'tier', 'channel']} filters={f} view={view} />
      <p>
        <button type="button" class="secondary" id="pause-updates" aria-pressed="false" hidden>
          Pause updates
        </button>
      </p>
      <div data-refresh={String(REFRESH_SECONDS)}>
        <p class="meta">
          Updated <When at={view.now.toISOString()} view={view} relative={false} />; times in {view.timeZone}. The page
          updates itself every {REFRESH_SECONDS} seconds.
        </p>
        <ul class="tiles" aria-label="Figures">
          {tiles.map(([label, figure, href]) => (
            <li class="tile" data-tile={label}>
              <a href={href}>
                <span class="figure">{figure}</span>
                {label}
              </a>
            </li>
          ))}
        </ul>
        <h2 id="due-soon">SLAs due within {data.withinMinutes} minutes</h2>
        <table aria-labelledby="due-soon">
          <Head columns={['Conversation', 'Target', 'Due', ['Cart value', 'num'], 'Agent']} />
          <tbody>
            {data.dueSoon.length === 0 ? (
              <tr>
                <td colSpan={5}>No SLA is due within {data.withinMinutes} minutes.</td>
              </tr>
            ) : (
              data.dueSoon.map((t) => (
                <tr>
                  <td>
                    <a href={`/incidences/${t.incidence_id}`}>{t.conversation_id}</a>
                  </td>
                  <td>{words(t.target)}</td>
                  <td>
                    <When at={t.due_at} view={view} />
                  </td>
                  <td class="num">
                    <Money value={t.cart_value} />
                  </td>
                  <td>
                    <Agent id={t.agent_id} view={view} />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
        <h2 id="unattended">Unattended conversations (longest wait first)</h2>
        <table aria-labelledby="unattended">
          {conversationHead}
          <tbody>
            <ConversationRows rows={data.unattended.rows} view={view} empty="Every open conversation has a reply." />
          </tbody>
        </table>
        {data.unattended.next && (
          <p>
            <a href={incidencesHref({ ...f, state: 'unattended' }, { sort: 'oldest' })}>
              All {data.counts.unattended} unattended conversations
            </a>
          </p>
        )}
        <h2 id="open">Open conversations (largest cart first)</h2>
        <table aria-labelledby="open">
          {conversationHead}
          <tbody>
            <ConversationRows rows={data.open.rows} view={view} empty="No conversation is open." />
          </tbody>
        </table>
        <Pager
          path="/overview"
          filters={f}
          page={data.open}
          paged={data.paged}
          label="Open conversations pages"
          fragment="#open"
        />
      </div>
    </Page>
  );
}
