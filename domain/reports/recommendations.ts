/**
 * Recommendations from the week's data by explicit rules, each carrying the numbers behind it.
 * Rules (in output order): a missed month-1 target (by how much), the screen with most incidences and its top
 * issue, the fastest-growing issue categories, and no orders reaching the feed while incidences do.
 */
import { rupees } from './display';
import type { Recommendation, WeeklyReport } from './weekly-report-shape';

type ReportBody = Omit<WeeklyReport, 'recommendations'>;

const fmt = (n: number, digits = 1) => (Number.isInteger(n) ? String(n) : n.toFixed(digits));
/** Categories must grow by at least this many incidences to be called growing (noise guard). */
export const GROWTH_MIN_INCREASE = 2;
const GROWING_SHOWN = 3;

export function targetMissed(report: ReportBody): Recommendation[] {
  return report.targets.flatMap((t): Recommendation[] => {
    if (!('met' in t.month1) || t.month1.met !== false || t.value === null) return [];
    const { target, gap } = t.month1;
    const inUnit = (n: number) => (t.unit === '%' ? `${fmt(n)}%` : t.unit === '₹' ? rupees(n) : `${fmt(n)} ${t.unit}`);
    const gapInUnit = t.unit === '%' ? `${fmt(gap ?? 0)} points` : inUnit(gap ?? 0);
    const side = t.direction === 'at_least' ? 'below' : 'above';
    return [
      {
        rule: 'target-missed',
        priority: 'high',
        text: `${t.label} is ${inUnit(t.value)}, ${gapInUnit} ${side} the month-1 target of ${inUnit(target)}.`,
        numbers: { metric: t.metric, value: t.value, target, gap },
      },
    ];
  });
}

export function topFrictionScreen(report: ReportBody): Recommendation[] {
  const top = report.topFrictionScreens[0];
  if (!top) return [];
  const share = report.metrics.incidences.value ? (top.count / report.metrics.incidences.value) * 100 : null;
  const issue = top.topIssue ? `, most often about "${top.topIssue}" (${top.topIssueCount})` : '';
  return [
    {
      rule: 'top-friction-screen',
      priority: 'high',
      text: `Simplify the "${top.name}" screen: ${top.count} incidences started there${share === null ? '' : ` (${fmt(share)}% of the week)`}${issue}.`,
      numbers: {
        screen: top.name,
        incidences: top.count,
        share_percent: share,
        top_issue: top.topIssue,
        top_issue_incidences: top.topIssueCount,
      },
    },
  ];
}

export function growingCategories(report: ReportBody): Recommendation[] {
  return report.topIssueCategories
    .filter((c) => c.change >= GROWTH_MIN_INCREASE)
    .sort((a, b) => b.change - a.change || a.name.localeCompare(b.name))
    .slice(0, GROWING_SHOWN)
    .map((c) => {
      const percent = c.previous === 0 ? null : (c.change / c.previous) * 100;
      return {
        rule: 'growing-category' as const,
        priority: 'medium' as const,
        text: `"${c.name}" is growing: ${c.count} incidences, up ${c.change} from ${c.previous}${percent === null ? '' : ` (+${fmt(percent)}%)`}. Look at what changed.`,
        numbers: {
          category: c.name,
          incidences: c.count,
          previous: c.previous,
          increase: c.change,
          increase_percent: percent,
        },
      };
    });
}

export function noOrders(report: ReportBody): Recommendation[] {
  const incidences = report.metrics.incidences.value ?? 0;
  if (report.metrics.totalOrders.value !== 0 || incidences === 0) return [];
  return [
    {
      rule: 'no-orders',
      priority: 'high',
      text: `No orders reached the orders feed this week while ${incidences} incidences were recorded: the self-serve rate cannot be measured. Check POST /api/v1/orders.`,
      numbers: { orders: 0, incidences },
    },
  ];
}

export function recommendationsFor(report: ReportBody): Recommendation[] {
  return [...noOrders(report), ...targetMissed(report), ...topFrictionScreen(report), ...growingCategories(report)];
}
