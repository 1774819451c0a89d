import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client } from 'pg';
import { ALL_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { migrate } from '../infra/migrator';

/** Shared set-up for benchmarks and the chaos run: scratch databases, a private dev server, child processes. */
export const ROOT = path.resolve(__dirname, '..');
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/test';

export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function admin(statement: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database, dropped by `drop()`. */
export async function scratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return { url: url.toString(), name, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** A private Temporal dev server (the CLI from scripts/setup-temporal.sh) on free ports, or the one at TEMPORAL_ADDRESS when given. */
export async function temporalServer(existingAddress?: string): Promise<{ address: string; stop(): Promise<void> }> {
  if (existingAddress) return { address: existingAddress, stop: async () => undefined };
  const executable = process.env.TEMPORAL_CLI_PATH ?? execFileSync('bash', [path.join(ROOT, 'scripts/setup-temporal.sh')], { encoding: 'utf8' }).trim();
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: executable }, ip: '127.0.0.1', searchAttributes: ALL_SEARCH_ATTRIBUTES, log: { format: 'pretty', level: 'error' } },
  });
  return { address: env.address, stop: () => env.teardown() };
}

/** Runs a TypeScript entry point (worker.ts, api/server.ts) as one real node process, so SIGKILL kills it. */
export function startNodeProcess(entry: string, env: Record<string, string>, extraNodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...extraNodeArgs, '--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
