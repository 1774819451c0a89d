/** The filter form of the overview and the incidences list: a GET form, so every filtered view is a link. */
import { words } from '../../domain/reports/display';
import {
  CHANNELS,
  DATE_FIELDS,
  OUTCOMES,
  ORDER_IMPACTS,
  SLA_STATUSES,
  SORTS,
  TIERS,
  type IncidenceFilters,
  type ListRequest,
} from '../../domain/reports/incidence-filters';
import { CART_VALUE_TIERS, FIRST_RESPONSE_BUCKETS, NO_CART } from '../../domain/reports/support-metrics';
import type { View } from './layout';

export type FilterField =
  | 'sla'
  | 'agent'
  | 'event'
  | 'tier'
  | 'channel'
  | 'outcome'
  | 'impact'
  | 'from'
  | 'to'
  | 'dates'
  | 'category'
  | 'q'
  | 'sort';

const DATE_NAMES: Record<IncidenceFilters['dates'], string> = {
  created: 'it started',
  resolved: 'it was resolved',
  ordered: 'an assisted order was placed',
  waited: 'an SLA target began',
  settled: 'an SLA target was met or missed',
  answered: 'an agent answered',
  repaired: 'reconciliation repaired it',
};
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Filters a figure's link may set that the form does not show: kept as hidden fields. */
const HIDDEN = [
  'state',
  'target',
  'result',
  'policy',
  'response',
  'wait',
  'weekday',
  'hour',
  'screen',
  'reopened',
  'repeat',
] as const;

export const hiddenFilters = (f: IncidenceFilters): Record<string, string | undefined> =>
  Object.fromEntries(
    HIDDEN.map((name) => {
      const value = f[name];
      return [name, value === undefined ? undefined : value === true ? '1' : String(value)];
    }),
  );

/** The hidden filters in words, so a list reached from a figure says what it holds. */
export function narrowedBy(f: IncidenceFilters): string[] {
  const out: string[] = [];
  if (f.state) out.push(`${words(f.state).toLowerCase()} now`);
  if (f.target || f.result || f.policy)
    out.push(
      `with an SLA target${f.target ? ` of ${words(f.target).toLowerCase()}` : ''}${f.policy ? ` (policy ${f.policy})` : ''}${f.result ? ` ${words(f.result).toLowerCase()}` : ''}`,
    );
  if (f.response) out.push(`with a ${f.response === 'FIRST' ? 'first' : 'next'} response`);
  if (f.wait)
    out.push(
      f.wait === 'none'
        ? 'with no human response'
        : `whose first response took ${FIRST_RESPONSE_BUCKETS[Number(f.wait)]!.name}`,
    );
  if (f.weekday !== undefined) out.push(`on ${WEEKDAY_NAMES[f.weekday - 1]}s`);
  if (f.hour !== undefined)
    out.push(`from ${String(f.hour).padStart(2, '0')}:00 to ${String(f.hour + 1).padStart(2, '0')}:00 India time`);
  if (f.screen) out.push(`from the screen ${f.screen}`);
  if (f.reopened) out.push('reopened');
  if (f.repeat) out.push('with repeat friction');
  return out;
}

const tierName = (t: string) => (t === 'none' ? NO_CART : CART_VALUE_TIERS[Number(t)]!.name);
const SORT_NAMES: Record<ListRequest['sort'], string> = {
  newest: 'Newest first',
  oldest: 'Oldest first',
  cart: 'Largest cart first',
};

function Select(props: {
  name: string;
  label: string;
  value: string | undefined;
  options: ReadonlyArray<readonly [string, string]>;
  any?: string;
}) {
  return (
    <label>
      {props.label}
      <select name={props.name}>
        {props.any !== undefined && <option value="">{props.any}</option>}
        {props.options.map(([value, label]) => (
          <option value={value} selected={props.value === value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function FilterForm(props: {
  action: string;
  fields: FilterField[];
  filters: IncidenceFilters;
  sort?: ListRequest['sort'];
  view: View;
  /** Filters the form does not show but keeps (e.g. the state an overview figure chose). */
  hidden?: Record<string, string | undefined>;
}) {
  const f = props.filters;
  const agents = new Map(props.view.agents);
  if (f.agent && f.agent !== 'none' && !agents.has(f.agent)) agents.set(f.agent, f.agent);
  const field = (name: FilterField) => {
    switch (name) {
      case 'sla':
        return (
          <Select
            name="sla"
            label="SLA status"
            value={f.sla}
            any="Any"
            options={SLA_STATUSES.map((s) => [s, words(s)])}
          />
        );
      case 'agent':
        return (
          <Select
            name="agent"
            label="Agent"
            value={f.agent}
            any="Any"
            options={[['none', 'Unassigned'], ...[...agents].sort((a, b) => a[1].localeCompare(b[1]))]}
          />
        );
      case 'event':
        return (
          <label>
            Event type
            <input name="event" value={f.event ?? ''} placeholder="e.g. WEDDING" />
          </label>
        );
      case 'tier':
        return (
          <Select
            name="tier"
            label="Cart value"
            value={f.tier}
            any="Any"
            options={TIERS.map((t) => [t, tierName(t)])}
          />
        );
      case 'channel':
        return (
          <Select
            name="channel"
            label="Channel"
            value={f.channel}
            any="Any"
            options={CHANNELS.map((c) => [c, words(c)])}
          />
        );
      case 'outcome':
        return (
          <Select
            name="outcome"
            label="Outcome"
            value={f.outcome}
            any="Any"
            options={OUTCOMES.map((o) => [o, words(o)])}
          />
        );
      case 'impact':
        return (
          <Select
            name="impact"
            label="Order impact"
            value={f.impact}
            any="Any"
            options={ORDER_IMPACTS.map((o) => [o, words(o)])}
          />
        );
      case 'from':
        return (
          <label>
            From (India date)
            <input type="date" name="from" value={f.from ?? ''} />
          </label>
        );
      case 'to':
        return (
          <label>
            To (India date)
            <input type="date" name="to" value={f.to ?? ''} />
          </label>
        );
      case 'dates':
        return (
          <Select
            name="dates"
            label="Dates are when"
            value={f.dates}
            options={DATE_FIELDS.map((d) => [d, DATE_NAMES[d]])}
          />
        );
      case 'category':
        return (
          <label>
            Issue category
            <input name="category" value={f.category ?? ''} />
          </label>
        );
      case 'q':
        return (
          <label>
            Conversation, user or order id
            <input name="q" value={f.q ?? ''} />
          </label>
        );
      case 'sort':
        return <Select name="sort" label="Order" value={props.sort} options={SORTS.map((s) => [s, SORT_NAMES[s]])} />;
    }
  };
  return (
    <form class="filters" method="get" action={props.action} aria-label="Filters">
      {Object.entries(props.hidden ?? {}).map(([name, value]) =>
        value === undefined ? null : <input type="hidden" name={name} value={value} />,
      )}
      {props.fields.map(field)}
      <button type="submit">Apply filters</button>
      <a class="button secondary" href={props.action}>
        Clear
      </a>
    </form>
  );
}
