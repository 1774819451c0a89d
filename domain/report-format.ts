/** Formatting shared by the HTML, CSV and email renderings of a weekly report. */
import { METRIC_LABELS, type Metric, type MetricName } from './weekly-report';

export function formatMetric(name: MetricName, metric: Metric): string {
  if (metric.value === null) return '—';
  const unit = METRIC_LABELS[name].unit;
  if (unit === '%') return `${metric.value.toFixed(1)}%`;
  if (unit === '₹')
    return `₹${metric.value.toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
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
