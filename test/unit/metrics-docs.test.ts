import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OverviewFigures } from '../../domain/reports/overview';
import { figuresOfDays } from '../../domain/reports/report-rollup';
import { EXPORT_COLUMNS } from '../../stores/incidence-export';

/** docs/metrics.md defines each figure once, as **`name`**; every figure the code emits is defined there. */
const doc = readFileSync(path.join(__dirname, '../../docs/metrics.md'), 'utf8');
// The per-conversation measures ("Response times") are defined by their own section and test.
const sections = doc.split(/^## /m).filter((s) => !s.startsWith('Response times'));
const defined = sections.flatMap((s) => [...s.matchAll(/\*\*`([A-Za-z_]+)`\*\*/g)].map((m) => m[1]!));

const overview: Omit<OverviewFigures, 'asOf'> = {
  open: { count: 0, conversations: [] },
  unattended: { count: 0, conversations: [] },
  breachingSoon: { count: 0, withinSeconds: 300, targets: [] },
  cartValueAtRisk: { openConversations: 0, value: 0, asOf: '' },
};
const emitted = [
  ...Object.keys(figuresOfDays([]).support),
  ...Object.keys(overview),
  // Export columns computed for the export (stored fields are defined by their migrations).
  ...EXPORT_COLUMNS.filter((c) => !c.expression.startsWith('i.') && c.name !== 'incidence_id').map((c) => c.name),
];

test.each([...new Set(emitted)])('%s is defined exactly once', (name) => {
  expect(defined.filter((d) => d === name)).toHaveLength(1);
});

test('nothing is defined that the code does not emit', () => {
  expect(defined.filter((d) => !emitted.includes(d))).toEqual([]);
});
