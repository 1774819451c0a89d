/**
 * Screenshots of every manager page with light data and with full data, into docs/screenshots/ (the README points
 * there). Scratch databases (bench/scratch.ts), the real page router with a stand-in for sign-in, Debian's Chromium.
 *   npx tsx bench/page-screenshots.ts
 */
import 'dotenv/config';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Koa from 'koa';
import { chromium } from 'playwright-core';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createManagerPages } from '../api/manager-pages';
import { addDays, isoWeekOf, istDateOf } from '../domain/reports/iso-week';
import { createDatabasePool } from '../infra/db';
import { aggregateDay } from '../activities/analytics-day';
import { computeAndStoreWeeklyReport } from '../activities/weekly-report';
import type { Session } from '../api/people/sessions';
import type { AgentNames } from '../clients/agent-names';
import { ROOT, scratchDatabase } from './scratch';
import { seedIncidences } from './support/page-data';

const OUT = path.join(ROOT, 'docs', 'screenshots');
const AGENTS = ['Priya Sharma', 'Ravi Kumar', 'Anita Desai', 'Farhan Ali', 'Meera Iyer'];
const names: AgentNames = {
  namesOf: async (ids) =>
    new Map(
      [...ids].flatMap((id) =>
        id ? [[id, AGENTS[Number(id.split('-')[1]) % AGENTS.length]!] as [string, string]] : [],
      ),
    ),
  all: async () => new Map(Array.from({ length: 40 }, (_, i) => [`agent-${i}`, AGENTS[i % AGENTS.length]!])),
};

async function shoot(kind: 'light' | 'full', incidences: number, open: number): Promise<void> {
  const scratch = await scratchDatabase(`shots_${kind}`);
  const pool: DatabasePool = await createDatabasePool(scratch.url, 4);
  const server = await (async () => {
    await seedIncidences(pool, incidences, open);
    await pool.query(sql.unsafe`
      INSERT INTO incidence_timeline (incidence_id, event_type, actor, content, event_key, occurred_at)
      SELECT id, 'MESSAGE', 'USER', 'Can the menu have Jain options for 350 guests?', 'm1', created_at FROM incidences
      UNION ALL
      SELECT id, 'MESSAGE', 'AGENT', 'Yes: every platter has a Jain variant.', 'm2', first_response_at FROM incidences
      WHERE first_response_at IS NOT NULL`);
    const lastWeek = isoWeekOf(addDays(istDateOf(new Date()), -7));
    await computeAndStoreWeeklyReport(pool, lastWeek, 150);
    for (let d = 1; d <= 14; d++) await aggregateDay(pool, addDays(istDateOf(new Date()), -d), 86_400_000);
    const app = new Koa();
    const pages = createManagerPages(
      {
        pool,
        agentNames: names,
        databaseUrl: scratch.url,
        temporalUiUrl: 'https://temporal.example.com',
        namespace: 'default',
        freshchatConversationUrl: 'https://yourcompany.freshchat.com/a/1/open/conversation/{conversation_id}',
      },
      {
        // A signed-in person's state as the sign-in guard leaves it: the person, and a session for the sign-out form.
        requirePerson: () => (ctx, next) => {
          const person = { email: 'meera@example.com', name: 'Meera (support manager)', role: 'viewer' as const };
          const session: Session = { id: 'screenshots', person, csrf: 'screenshots', createdAt: Date.now() };
          Object.assign(ctx.state, { person, peopleSession: session });
          return next();
        },
      },
    );
    app.use(pages.routes());
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    return s;
  })();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, timezoneId: 'Asia/Kolkata' });
    const newest = await pool.oneFirst(sql.type(z.object({ id: z.string() }))`
      SELECT id::text FROM incidences WHERE first_response_at IS NOT NULL ORDER BY created_at DESC LIMIT 1`);
    const shots: Array<[string, string, boolean]> = [
      ['overview', '/overview', false],
      ['incidences', '/incidences', false],
      ['incidence', `/incidences/${newest}`, false],
      ['weekly-report', '/reports/weekly', true],
      ['days', '/reports/days', false],
      ['heatmap', '/reports/heatmap', false],
    ];
    for (const [name, url, fullPage] of shots) {
      await page.goto(base + url);
      await page.screenshot({ path: path.join(OUT, `${name}-${kind}.png`), fullPage });
      console.log(`docs/screenshots/${name}-${kind}.png`);
    }
  } finally {
    await browser.close();
    server.close();
    await pool.end();
    await scratch.drop();
  }
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  await shoot('light', 12, 4);
  await shoot('full', 20_000, 400);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
