import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { ReconciliationSummary } from '../../domain/reconciliation/reconciliation-pass';
import { loadSettings } from '../../infra/settings';
import { payloadDataConverter } from '../../infra/payload-codec';
import { runManualPass } from '../../gateways/reconciliation-schedule';
import { FakeFreshchat } from '../support/fake-freshchat';
import type { ChaosPlan } from './plan-shape';
import { REAL_PLAN_START } from './real-plan';

/**
 * How the run signs its deliveries, and what the API needs to verify them: HMAC (simplified) or RSA (real); a mixed
 * plan signs each body by its format.
 */
export function signingFor(plan: ChaosPlan): { env: Record<string, string>; sign(body: string): string } {
  const secret = randomBytes(16).toString('hex');
  const hmac = (body: string) => createHmac('sha256', secret).update(body).digest('hex');
  if (plan.format === 'simplified') return { env: { FRESHCHAT_WEBHOOK_SECRET: secret }, sign: hmac };
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsa = (body: string) => sign('sha256', Buffer.from(body), privateKey).toString('base64');
  const env = { FRESHCHAT_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  if (plan.format === 'real') return { env, sign: rsa };
  const isSimplified = (body: string) => 'conversation' in (JSON.parse(body) as { data: object }).data;
  return {
    env: { ...env, FRESHCHAT_WEBHOOK_SECRET: secret, FRESHCHAT_WEBHOOK_SCHEMES: 'rsa,hmac' },
    sign: (body) => (isSimplified(body) ? hmac(body) : rsa(body)),
  };
}

/** A fake Freshchat that knows every event of the plan, delivered or not; the worker reads it. */
export async function freshchatFor(
  plan: ChaosPlan,
): Promise<{ env: Record<string, string>; fake?: FakeFreshchat; stop(): Promise<void> }> {
  if (!plan.freshchat) return { env: {}, stop: async () => undefined };
  const freshchat = await new FakeFreshchat().start();
  for (const { body, properties } of plan.freshchat.events) freshchat.learn(body, properties);
  for (const user of plan.freshchat.users ?? []) freshchat.users.set(user.id, user);
  return {
    fake: freshchat,
    env: {
      FRESHCHAT_API_URL: freshchat.url,
      FRESHCHAT_API_TOKEN: 'chaos',
      RECONCILIATION_SCHEDULE_ENABLED: 'false',
      FRESHCHAT_RATE_LIMIT: '100000',
      FRESHCHAT_RATE_BURST: '200',
    },
    stop: () => freshchat.stop(),
  };
}

/** One manual reconciliation pass on the run's task queue, as `npm run reconcile` runs it. */
export async function reconciliationPass(temporalAddress: string, taskQueue: string): Promise<ReconciliationSummary> {
  const settings = loadSettings({ ...process.env, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue });
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const dataConverter = payloadDataConverter(settings.temporal.payloadKeys);
    // Discovery takes conversations active within the look-back: the plan's are dated from REAL_PLAN_START.
    return await runManualPass(
      new Client({ connection, namespace: settings.temporal.namespace, dataConverter }),
      settings,
      { lookbackMs: Date.now() - Date.parse(REAL_PLAN_START) + 3_600_000 },
    );
  } finally {
    await connection.close();
  }
}
