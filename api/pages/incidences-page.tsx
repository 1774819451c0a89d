/** The incidences list (filters, sort, keyset pages both ways, export) and one incidence's drill-down. */
import { duration, words } from '../../domain/reports/display';
import { queryOf, type ListRequest } from '../../domain/reports/incidence-filters';
import type { IncidenceDetail } from '../../stores/incidence-detail-store';
import type { IncidencePage } from '../../stores/incidence-list-store';
import { FilterForm, hiddenFilters, narrowedBy } from './filter-form';
import { Pager } from './pager';
import { Agent, Head, Money, Page, When, type View } from './layout';

export function IncidencesPage(props: { request: ListRequest; page: IncidencePage; paged: boolean; view: View }) {
  const { request, page, view } = props;
  const f = request.filters;
  const sortQuery = request.sort === 'newest' ? undefined : request.sort;
  const total = page.total.capped ? `${page.total.count.toLocaleString('en-IN')} or more` : String(page.total.count);
  return (
    <Page title="Incidences" view={view}>
      <FilterForm
        action="/incidences"
        fields={[
          'from',
          'to',
          'dates',
          'outcome',
          'impact',
          'sla',
          'agent',
          'event',
          'tier',
          'channel',
          'category',
          'q',
          'sort',
        ]}
        filters={f}
        sort={request.sort}
        view={view}
        hidden={hiddenFilters(f)}
      />
      <p class="pager">
        <span id="matching">{total} matching</span>
        {narrowedBy(f).length > 0 && <span data-narrowed>Only incidences {narrowedBy(f).join('; ')}.</span>}
        <a class="button" href={`/incidences/export.csv${queryOf(f)}`} download>
          Export these as CSV
        </a>
      </p>
      <table aria-describedby="matching">
        <caption>Incidences, {request.sort === 'cart' ? 'largest cart first' : `${request.sort} first`}</caption>
        <Head
          columns={[
            'Started',
            'Conversation',
            'Customer',
            'Event',
            ['Cart value', 'num'],
            'Channel',
            'Agent',
            'Outcome',
            'SLA',
            ['First response', 'num'],
            ['Time to resolve', 'num'],
          ]}
        />
        <tbody>
          {page.rows.length === 0 ? (
            <tr>
              <td colSpan={11}>No incidence matches these filters.</td>
            </tr>
          ) : (
            page.rows.map((r) => (
              <tr data-incidence={r.id}>
                <td>
                  <When at={r.created_at} view={view} relative={false} />
                </td>
                <td>
                  <a href={`/incidences/${r.id}`}>{r.conversation_id}</a>
                </td>
                <td>{r.user_id ?? '—'}</td>
                <td>{words(r.event_type)}</td>
                <td class="num">
                  <Money value={r.cart_value} />
                </td>
                <td>{words(r.channel)}</td>
                <td>
                  <Agent id={r.agent_id} view={view} />
                </td>
                <td>{words(r.outcome)}</td>
                <td class={r.sla_status ?? undefined}>{words(r.sla_status)}</td>
                <td class="num">{duration(r.first_response_seconds)}</td>
                <td class="num">{duration(r.time_to_resolve_seconds)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <Pager path="/incidences" filters={f} sort={sortQuery} page={page} paged={props.paged} label="Pages" />
    </Page>
  );
}

export interface IncidenceLinks {
  temporal: string;
  /** Null when FRESHCHAT_CONVERSATION_URL is not set. */
  freshchat: string | null;
}

export function IncidencePage(props: { incidence: IncidenceDetail; links: IncidenceLinks; view: View }) {
  const { incidence: i, links, view } = props;
  const assistedValue = i.orders.filter((o) => !o.cancelled).reduce((sum, o) => sum + (o.value ?? 0), 0);
  const facts: Array<[string, preact.ComponentChildren]> = [
    ['Customer', i.user_id ?? '—'],
    ['Stage', words(i.stage)],
    ['Channel', words(i.channel)],
    ['Started by', words(i.trigger)],
    ['Event type', words(i.event_type)],
    ['Cart value', <Money value={i.cart_value} />],
    ['Guests', i.guest_count ?? '—'],
    ['Screen', i.app_screen ?? '—'],
    ['Agent', <Agent id={i.agent_id} view={view} />],
    ['Outcome', words(i.outcome)],
    ['Order impact', words(i.order_impact)],
    ['Issue category', i.issue_category ?? '—'],
    ['Root cause', i.root_cause ?? '—'],
    ['Reopened', i.reopen_count ? `${i.reopen_count} times` : 'never'],
    ['Repeat friction', i.repeat_friction ? 'yes' : 'no'],
    ['Started', <When at={i.created_at} view={view} relative={false} />],
    ['Resolved', <When at={i.resolved_at} view={view} relative={false} />],
    [
      'Time to resolve',
      `${duration(i.time_to_resolve_seconds)} (${duration(i.time_to_resolve_business_seconds)} in business hours)`,
    ],
    [
      'First response',
      `${duration(i.first_response_seconds)} (${duration(i.first_response_business_seconds)} in business hours)`,
    ],
    ['SLA policy', i.sla_policy ? `${i.sla_policy}: ${words(i.sla_status)}` : 'none'],
  ];
  return (
    <Page title={`Incidence: conversation ${i.conversation_id}`} view={view}>
      <p>
        {links.freshchat ? (
          <a href={links.freshchat} data-link="freshchat">
            Open the conversation in Freshchat
          </a>
        ) : (
          <span>No Freshchat link: FRESHCHAT_CONVERSATION_URL is not set.</span>
        )}
        {' · '}
        <a href={links.temporal} data-link="temporal">
          Its workflow in the Temporal UI
        </a>
        {' · '}
        <a href="/incidences">All incidences</a>
      </p>
      <h2 id="facts">What we know</h2>
      <dl class="facts" aria-labelledby="facts">
        {facts.map(([name, value]) => (
          <>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </>
        ))}
      </dl>
      <h2 id="slas">SLA targets and what became of them</h2>
      <table aria-labelledby="slas">
        <Head columns={['Target', 'Policy', 'Started', 'Due', 'Status', 'Settled']} />
        <tbody>
          {i.targets.length === 0 ? (
            <tr>
              <td colSpan={6}>No SLA target was set.</td>
            </tr>
          ) : (
            i.targets.map((t) => (
              <tr>
                <td>{words(t.target)}</td>
                <td>{t.policy}</td>
                <td>
                  <When at={t.started_at} view={view} relative={false} />
                </td>
                <td>
                  <When at={t.due_at} view={view} relative={false} />
                </td>
                <td class={t.status}>{words(t.status)}</td>
                <td>
                  <When at={t.settled_at} view={view} relative={false} />
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <h2 id="responses">Response times</h2>
      <table aria-labelledby="responses">
        <Head
          columns={['Response', 'Customer waiting since', 'Answered', ['Waited', 'num'], ['In business hours', 'num']]}
        />
        <tbody>
          {i.responses.length === 0 ? (
            <tr>
              <td colSpan={5}>No agent has replied yet.</td>
            </tr>
          ) : (
            i.responses.map((r) => (
              <tr>
                <td>
                  {r.kind === 'FIRST' ? 'First' : 'Next'} (care cycle {r.care_cycle + 1})
                </td>
                <td>
                  <When at={r.waiting_since} view={view} relative={false} />
                </td>
                <td>
                  <When at={r.answered_at} view={view} relative={false} />
                </td>
                <td class="num">{duration(r.seconds)}</td>
                <td class="num">{duration(r.business_seconds)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <h2 id="orders">Linked orders</h2>
      <table aria-labelledby="orders">
        <Head columns={['Order', 'Linked because', 'Placed', ['Value', 'num']]} />
        <tbody>
          {i.orders.length === 0 ? (
            <tr>
              <td colSpan={4}>No order is linked to this incidence.</td>
            </tr>
          ) : (
            i.orders.map((o) => (
              <tr>
                <td>
                  {o.order_id}
                  {o.cancelled ? ' (cancelled)' : ''}
                </td>
                <td>{words(o.reason)}</td>
                <td>
                  <When at={o.placed_at} view={view} relative={false} />
                </td>
                <td class="num">
                  <Money value={o.value} />
                </td>
              </tr>
            ))
          )}
        </tbody>
        {i.orders.length > 0 && (
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                Assisted order value (not cancelled)
              </th>
              <td class="num">
                <Money value={assistedValue} />
              </td>
            </tr>
          </tfoot>
        )}
      </table>
      <h2 id="timeline">Timeline</h2>
      {i.timelineTotal > i.timeline.length && (
        <p>
          The first {i.timeline.length} of {i.timelineTotal} events.
        </p>
      )}
      <table aria-labelledby="timeline">
        <Head columns={['When', 'Who', 'What', 'Message']} />
        <tbody>
          {i.timeline.length === 0 ? (
            <tr>
              <td colSpan={4}>No event recorded.</td>
            </tr>
          ) : (
            i.timeline.map((e) => (
              <tr>
                <td>
                  <When at={e.occurred_at} view={view} relative={false} />
                </td>
                <td>{words(e.actor)}</td>
                <td>{words(e.event_type)}</td>
                <td>{e.content ?? ''}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </Page>
  );
}
