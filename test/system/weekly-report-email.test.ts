/**
 * The weekly email renders in mail clients without SVG: read back from a real SMTP server and parsed as MIME, its
 * HTML shows each chart as an inline PNG (cid:) with a text alternative, every PNG decodes to the chart's size, the
 * text part says the same, and both link to the report page; agents carry their Freshchat names.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { emailWeeklyReport } from '../../activities/weekly-report';
import { CHART_SCALE } from '../../clients/chart-images';
import { computeAndStoreWeeklyReport } from '../../activities/weekly-report';
import { insertSlaTarget, insertSupportIncidence } from '../support/support-rows';
import { startSmtpSink } from '../support/smtp-sink';
import { startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let mail: ParsedMail;
const PUBLIC_BASE_URL = 'https://support.example.test';

/** Width and height from a PNG's IHDR chunk, after checking its 8-byte signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  system = await startTestSystem(
    { SMTP_URL: smtp.url, REPORT_RECIPIENTS: 'ops@example.com', REPORT_FROM: 'reports@example.com', PUBLIC_BASE_URL },
    { worker: false },
  );
  const id = await insertSupportIncidence(system.pool, {
    created_at: '2026-11-23T04:00:00Z',
    first_response_at: '2026-11-23T04:09:00Z',
    resolved_at: '2026-11-23T04:40:00Z',
    agent_id: 'agent-priya',
    issue_category: 'menu',
  });
  await insertSlaTarget(system.pool, {
    incidence_id: id,
    started_at: '2026-11-23T04:00:00Z',
    due_at: '2026-11-23T04:05:00Z',
    status: 'MISSED',
    settled_at: '2026-11-23T04:05:00Z',
  });
  await computeAndStoreWeeklyReport(system.pool, '2026-W48', 150);
  const outcome = await emailWeeklyReport(
    system.pool,
    system.settings.activities.mail,
    '2026-W48',
    async (ids) => new Map(ids.filter((i) => i === 'agent-priya').map((i) => [i, 'Priya Sharma'])),
  );
  expect(outcome).toBe('sent');
  expect(smtp.messages).toHaveLength(1);
  mail = await simpleParser(smtp.messages[0]!.raw, { skipImageLinks: true }); // keep cid: as sent
});
afterAll(async () => {
  await system?.stop();
  await smtp?.stop();
});

test('three charts as inline PNG images, each decoding to twice the size the HTML shows it', () => {
  const html = mail.html as string;
  expect(html).not.toContain('<svg');
  const images = [
    ...html.matchAll(/<img data-chart="([^"]+)" src="cid:([^"]+)" width="(\d+)" height="(\d+)" alt="([^"]+)"/g),
  ];
  expect(images.map((m) => m[1])).toEqual(['self-serve-trend', 'time-to-resolve', 'top-reasons']);
  const pngs = mail.attachments.filter((a) => a.contentType === 'image/png');
  expect(pngs).toHaveLength(3);
  for (const [, , cid, width, height, alt] of images) {
    const attachment = pngs.find((a) => a.contentId === `<${cid}>` || a.cid === cid);
    expect(attachment).toBeDefined();
    expect(attachment!.contentDisposition).toBe('inline');
    const size = pngSize(attachment!.content);
    expect(size).toEqual({ width: Number(width) * CHART_SCALE, height: Number(height) * CHART_SCALE });
    expect(alt!.length).toBeGreaterThan(10);
  }
  expect(images.find((m) => m[1] === 'top-reasons')![5]).toContain('menu: 1');
});

test('the report page and the incidences behind figures are linked; agents by name; money as ₹', () => {
  const html = mail.html as string;
  expect(html).toContain(`href="${PUBLIC_BASE_URL}/reports/weekly?week=2026-W48"`);
  expect(html).toContain(`${PUBLIC_BASE_URL}/incidences?from=2026-11-23&amp;to=2026-11-29`);
  expect(html).toContain('Priya Sharma');
  expect(html).toContain('Monday 23 November 2026 to Sunday 29 November 2026');
  expect(html).not.toMatch(/\d ₹|\d{4}-\d\d-\d\dT\d\d:/);
});

test('the text part carries the figures, the charts in words and the link', () => {
  expect(mail.text).toContain(`The report in the browser: ${PUBLIC_BASE_URL}/reports/weekly?week=2026-W48`);
  expect(mail.text).toContain('Incidences: 1');
  expect(mail.text).toMatch(/Top reasons .*: menu: 1/);
});
