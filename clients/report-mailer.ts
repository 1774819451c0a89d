import nodemailer from 'nodemailer';
import type { DatabasePool } from 'slonik';
import { METRIC_LABELS } from '../domain/reports/weekly-report';
import { METRIC_NAMES, type WeeklyReport } from '../domain/reports/weekly-report-shape';
import { escapeHtml, formatMetric } from '../domain/reports/report-format';
import { queryOf } from '../domain/reports/incidence-filters';
import { renderReportHtml, reportCharts } from '../domain/reports/report-html';
import { markEmailed, readWeeklyReport } from '../stores/weekly-report-store';
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

export type EmailOutcome = 'sent' | 'already-sent' | 'not-configured' | 'no-report';

/**
 * Emails a stored weekly report (HTML body, plain-text summary) once: emailed_at is set after sending, so a
 * retried or caught-up run does not send it again. (If the process dies between sending and marking, the retry
 * sends a second copy: at least once, never zero times.)
 */
export async function emailWeeklyReport(
  pool: DatabasePool,
  settings: MailSettings | undefined,
  isoWeek: string,
  agentNamesOf: AgentNamesOf = async () => new Map(),
): Promise<EmailOutcome> {
  if (!settings?.smtpUrl || settings.recipients.length === 0) return 'not-configured';
  const stored = await readWeeklyReport(pool, isoWeek);
  if (!stored?.html) return 'no-report';
  if (stored.emailedAt) return 'already-sent';
  const { report } = stored;
  const agents = await agentNamesOf(report.support?.current.slaMet.agent.map((r) => r.name) ?? []).catch(
    () => new Map<string, string>(),
  );
  const { html, text, attachments } = weeklyReportEmail(report, settings.publicUrl, agents);
  const transport = nodemailer.createTransport(settings.smtpUrl);
  try {
    await transport.sendMail({
      from: settings.from,
      to: settings.recipients,
      subject: `Weekly report ${isoWeek}: self-serve ${formatMetric('selfServeRate', report.metrics.selfServeRate)}`,
      text,
      html,
      attachments,
    });
  } finally {
    transport.close();
  }
  await markEmailed(pool, isoWeek);
  return 'sent';
}
