/** Formatting shared by the HTML, CSV and email renderings of a weekly report. */
import { rupees } from './display';
import type { IncidenceFilters } from './incidence-filters';
import { METRIC_LABELS } from './weekly-report';
import { type Metric, type MetricName } from './weekly-report-shape';

export interface ReportRenderOptions {
  /** Agent id → name (Freshchat); an id without one shows as itself. */
  agentNames?: Map<string, string>;
  /** The address of the incidences list for these filters (absolute in the email); absent, figures are plain. */
  incidencesUrl?: (filters: Partial<IncidenceFilters>) => string;
  /** The email: each chart as an <img> of its PNG (cid:) instead of inline SVG, and a link to the report page. */
  chartImage?: (chart: ReportChart) => string;
  reportUrl?: string;
  /** Leave out <html>, <head> and <body> (the report page wraps the report in its own frame). */
  fragment?: boolean;
}

/** One chart: its SVG and a text alternative for mail clients that show no images. */
export interface ReportChart {
  id: string;
  title: string;
  svg: string;
  alt: string;
}

/** Right-aligned column headers over right-aligned figures (inline: mail clients drop some style sheets). */
export const headRow = (...columns: string[]) =>
  `<tr><th></th>${columns.map((c) => `<th scope="col" style="text-align:right">${escapeHtml(c)}</th>`).join('')}</tr>`;

/** A figure, linked to the incidences behind it when the renderer can link. */
export const linked = (text: string, filters: Partial<IncidenceFilters> | null, options: ReportRenderOptions) =>
  filters && options.incidencesUrl ? `<a href="${escapeHtml(options.incidencesUrl(filters))}">${text}</a>` : text;

export function formatMetric(name: MetricName, metric: Metric): string {
  if (metric.value === null) return '—';
  const unit = METRIC_LABELS[name].unit;
  if (unit === '%') return `${metric.value.toFixed(1)}%`;
  if (unit === '₹') return rupees(Math.round(metric.value * 100) / 100);
  if (unit === 'min') return `${metric.value.toFixed(1)} min`;
  return String(metric.value);
}

export function formatChange(absolute: number | null, percent: number | null, unit: string): string {
  if (absolute === null) return '—';
  const sign = absolute > 0 ? '+' : absolute < 0 ? '−' : '±';
  const size = Math.abs(absolute);
  const body = unit === '%' ? `${size.toFixed(1)} pts` : Number.isInteger(size) ? String(size) : size.toFixed(2);
  return percent === null || unit === '%'
    ? `${sign}${body}`
    : `${sign}${body} (${percent > 0 ? '+' : ''}${percent.toFixed(0)}%)`;
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
