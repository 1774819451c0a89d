import nodemailer from 'nodemailer';
import { METRIC_LABELS } from '../domain/reports/weekly-report';
import { METRIC_NAMES, type WeeklyReport } from '../domain/reports/weekly-report-shape';
import { escapeHtml, formatMetric } from '../domain/reports/report-format';
import { queryOf } from '../domain/reports/incidence-filters';
import { renderReportHtml, reportCharts } from '../domain/reports/report-html';
import { renderChartPng } from './chart-images';
import type { MailSettings } from '../infra/settings';

/** Agent names for the email's SLA-by-agent table (the worker has no other use for them). */
export type AgentNamesOf = (ids: string[]) => Promise<Map<string, string>>;

const cidOf = (chartId: string) => `${chartId}@weekly-report`;

/**
 * The email's parts: HTML with the charts as inline PNG images (cid:) rendered from the report's SVG, each with
 * its text alternative, a plain-text part saying the same, and links to the pages when PUBLIC_BASE_URL is set.
 */
export function weeklyReportEmail(
  report: WeeklyReport,
  publicUrl: string | undefined,
  agentNames: Map<string, string>,
) {
  const base = publicUrl?.replace(/\/+$/, '');
  const reportUrl = base ? `${base}/reports/weekly?week=${report.isoWeek}` : undefined;
  const images = reportCharts(report).map(renderChartPng);
  const html = renderReportHtml(report, {
    agentNames,
    reportUrl,
    incidencesUrl: base ? (f) => `${base}/incidences${queryOf({ dates: 'created', ...f })}` : undefined,
    chartImage: (chart) => {
      const image = images.find((i) => i.chart.id === chart.id)!;
      return `<img data-chart="${chart.id}" src="cid:${cidOf(chart.id)}" width="${image.width}" height="${image.height}" alt="${escapeHtml(`${chart.title}: ${chart.alt}`)}" style="max-width:100%;height:auto">`;
    },
  });
  const text = [
    `Support-led ordering, week ${report.isoWeek}`,
    ...(reportUrl ? [`The report in the browser: ${reportUrl}`] : []),
    '',
    ...METRIC_NAMES.map((m) => `${METRIC_LABELS[m].label}: ${formatMetric(m, report.metrics[m])}`),
    '',
    ...report.recommendations.map((r, i) => `${i + 1}. ${r.text}`),
    '',
    ...images.map((i) => `${i.chart.title}: ${i.chart.alt}`),
  ].join('\n');
  const attachments = images.map((i) => ({
    filename: `${i.chart.id}.png`,
    content: i.png,
    contentType: 'image/png',
    cid: cidOf(i.chart.id),
    contentDisposition: 'inline' as const,
  }));
  return { html, text, attachments };
}

/** Sends a week's report to its recipients over SMTP. */
export async function sendWeeklyReportEmail(
  settings: MailSettings & { smtpUrl: string },
  report: WeeklyReport,
  agentNames: Map<string, string>,
): Promise<void> {
  const { html, text, attachments } = weeklyReportEmail(report, settings.publicUrl, agentNames);
  const transport = nodemailer.createTransport(settings.smtpUrl);
  try {
    await transport.sendMail({
      from: settings.from,
      to: settings.recipients,
      subject: `Weekly report ${report.isoWeek}: self-serve ${formatMetric('selfServeRate', report.metrics.selfServeRate)}`,
      text,
      html,
      attachments,
    });
  } finally {
    transport.close();
  }
}
