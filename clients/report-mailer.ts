import nodemailer from 'nodemailer';
import type { DatabasePool } from 'slonik';
import { METRIC_NAMES, METRIC_LABELS } from '../domain/weekly-report';
import { formatMetric } from '../domain/report-format';
import { markEmailed, readWeeklyReport } from '../stores/weekly-report-store';

export interface MailSettings {
  smtpUrl?: string;
  recipients: string[];
  from: string;
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
): Promise<EmailOutcome> {
  if (!settings?.smtpUrl || settings.recipients.length === 0) return 'not-configured';
  const stored = await readWeeklyReport(pool, isoWeek);
  if (!stored?.html) return 'no-report';
  if (stored.emailedAt) return 'already-sent';
  const { report } = stored;
  const text = [
    `Support-led ordering, week ${isoWeek}`,
    '',
    ...METRIC_NAMES.map((m) => `${METRIC_LABELS[m].label}: ${formatMetric(m, report.metrics[m])}`),
    '',
    ...report.recommendations.map((r, i) => `${i + 1}. ${r.text}`),
  ].join('\n');
  const transport = nodemailer.createTransport(settings.smtpUrl);
  try {
    await transport.sendMail({
      from: settings.from,
      to: settings.recipients,
      subject: `Weekly report ${isoWeek}: self-serve ${formatMetric('selfServeRate', report.metrics.selfServeRate)}`,
      text,
      html: stored.html,
    });
  } finally {
    transport.close();
  }
  await markEmailed(pool, isoWeek);
  return 'sent';
}
