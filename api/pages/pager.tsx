/** Keyset page links both ways: first, previous and next page of a list, its filters and sort kept. */
import { encodeCursor, queryOf, type IncidenceFilters } from '../../domain/reports/incidence-filters';
import type { IncidencePage } from '../../stores/incidence-list-store';

export function Pager(props: {
  path: string;
  filters: IncidenceFilters;
  sort?: string;
  page: IncidencePage;
  /** Whether this is past the first page. */
  paged: boolean;
  label: string;
  /** Where on the page the list is (the overview's open conversations). */
  fragment?: string;
}) {
  const { page } = props;
  const href = (extra: Record<string, string | undefined>) =>
    `${props.path}${queryOf(props.filters, { sort: props.sort, ...extra })}${props.fragment ?? ''}`;
  return (
    <nav class="pager" aria-label={props.label}>
      {props.paged && <a href={href({})}>First page</a>}
      {page.previous && (
        <a href={href({ before: encodeCursor(page.previous) })} rel="prev">
          Previous page
        </a>
      )}
      {page.next && (
        <a href={href({ after: encodeCursor(page.next) })} rel="next">
          Next page
        </a>
      )}
    </nav>
  );
}
