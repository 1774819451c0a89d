import { ConfigError } from '../../infra/config';
import { loadSettings, requireWebhookVerification } from '../../infra/settings';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('defaults', () => {
  test('conversations, app API, context sync and analytics', () => {
    const settings = loadSettings({});
    expect(settings.http).toEqual({
      port: 3000,
      metricsPort: 9465,
      bodyLimits: { webhook: 1024 * 1024, api: 64 * 1024, orders: 64 * 1024 },
      readinessTimeoutMs: 2000,
    });
    expect(settings.conversation).toEqual({
      reopenWindowMs: 7 * 86_400_000,
      silenceTimeoutMs: 14 * 86_400_000,
      historyLimit: 2000,
      weeklyReport: { quietPeriodMs: 30_000, idleTimeoutMs: 900_000, historyLimit: 2000 },
      slaTimers: true,
    });
    expect(settings.userContext).toEqual({ contextTtlMs: 86_400_000, helpOfferWindowMs: 900_000 });
    expect(settings.channels).toEqual({
      enabled: true,
      lowThreshold: 5000,
      highThreshold: 25000,
      highImportanceEvents: ['WEDDING', 'CORPORATE', 'RELIGIOUS'],
    });
    expect(settings.friction).toEqual({ enabled: true, highImportanceEvents: ['WEDDING', 'CORPORATE', 'RELIGIOUS'] });
    expect(settings.contextSync).toEqual({
      quietPeriodMs: 2000,
      maxDelayMs: 10_000,
      idleTimeoutMs: 1_800_000,
      historyLimit: 2000,
    });
    expect(settings.temporal.handoffTimeoutMs).toBe(5000);
    expect(settings.activities).toMatchObject({
      tagProperties: ['cf_tags'],
      assistedOrderWindowMs: 86_400_000,
      helpOfferWindowMs: 900_000,
      agentHourlyRate: 150,
    });
  });

  test('an empty value (FOO= in .env) means unset: the default applies, not 0 or ""', () => {
    const settings = loadSettings({ AGENT_HOURLY_RATE: '', PORT: ' ', SMTP_URL: '', WEBHOOK_BODY_LIMIT: '' });
    expect(settings.activities.agentHourlyRate).toBe(150);
    expect(settings.http.port).toBe(3000);
    expect(settings.activities.mail.smtpUrl).toBeUndefined();
    expect(settings.http.bodyLimits.webhook).toBe(1024 * 1024);
  });

  test('one history limit reaches all three long-lived workflows', () => {
    const settings = loadSettings({ WORKFLOW_HISTORY_LIMIT: '500' });
    expect(settings.conversation.historyLimit).toBe(500);
    expect(settings.conversation.weeklyReport?.historyLimit).toBe(500);
    expect(settings.contextSync.historyLimit).toBe(500);
  });
});

describe('values are read in their unit', () => {
  test('sizes: b, kb, mb in any case', () => {
    const { http } = loadSettings({ WEBHOOK_BODY_LIMIT: '2MB', API_BODY_LIMIT: '10kb', ORDERS_BODY_LIMIT: '900b' });
    expect(http.bodyLimits).toEqual({ webhook: 2 * 1024 * 1024, api: 10 * 1024, orders: 900 });
  });

  test('durations and flags', () => {
    const settings = loadSettings({
      CONVERSATION_REOPEN_WINDOW: '2h',
      CONTEXT_SYNC_QUIET_PERIOD: '500ms',
      FRICTION_DETECTION_ENABLED: 'false',
      CHANNEL_ROUTING_ENABLED: '0',
      TEMPORAL_HANDOFF_TIMEOUT: '750ms',
    });
    expect(settings.conversation.reopenWindowMs).toBe(7_200_000);
    expect(settings.temporal.handoffTimeoutMs).toBe(750);
    expect(settings.contextSync.quietPeriodMs).toBe(500);
    expect(settings.friction.enabled).toBe(false);
    expect(settings.channels.enabled).toBe(false);
  });
});

describe('malformed values are refused, each named with the format it needs', () => {
  test.each([
    ['WEBHOOK_BODY_LIMIT', '1m', /size with its unit/],
    ['API_BODY_LIMIT', '65536', /size with its unit/],
    ['ORDERS_BODY_LIMIT', '0kb', /size with its unit/],
    ['USER_CONTEXT_TTL', 'a day', /duration like/],
    ['CONVERSATION_SILENCE_TIMEOUT', '0s', /duration like/],
    ['HELP_OFFER_WINDOW', '15', /duration like/],
    ['DATABASE_URL', 'http://db/x', /postgres:\/\//],
    ['REDIS_URL', '127.0.0.1:6379', /redis:\/\//],
    ['FRESHCHAT_API_URL', 'api.freshchat.com', /https?:\/\/|http:\/\//],
    ['SMTP_URL', 'mail.example.com:587', /smtp:\/\//],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /http:\/\//],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'grpc://collector:4317', /http:\/\//],
    ['TEMPORAL_ADDRESS', 'temporal.internal', /host:port/],
    ['PORT', 'eighty', /port/],
    ['WORKER_METRICS_PORT', '70000', /65535/],
    ['FRICTION_DETECTION_ENABLED', 'maybe', /true or false/],
    ['CHANNEL_LOW_THRESHOLD', '-5', /0/],
    ['CONVERSATION_HISTORY_LIMIT', '3000', /renamed to WORKFLOW_HISTORY_LIMIT/],
  ])('%s=%s', (name, value, format) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(problems[0]).toMatch(format);
  });

  test('tracing: off by default; the traces URL is the traces endpoint, else the base endpoint with /v1/traces', () => {
    expect(loadSettings({}).tracing.tracesUrl).toBeUndefined();
    const base = 'http://collector:4318/';
    expect(loadSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: base }).tracing.tracesUrl).toBe(
      'http://collector:4318/v1/traces',
    );
    const traces = 'https://otlp.example.com/api/traces';
    expect(
      loadSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: traces }).tracing.tracesUrl,
    ).toBe(traces);
  });

  test('every malformed variable is named at once', () => {
    const problems = problemsOf({ PORT: 'x', DATABASE_URL: 'nope', CONVERSATION_REOPEN_WINDOW: 'a week' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['CONVERSATION_REOPEN_WINDOW', 'DATABASE_URL', 'PORT']);
  });

  test('cross-field rules: ordered channel thresholds; the API needs a webhook verification scheme', () => {
    expect(problemsOf({ CHANNEL_LOW_THRESHOLD: '30000' })[0]).toMatch(
      /CHANNEL_LOW_THRESHOLD .* CHANNEL_HIGH_THRESHOLD/,
    );
    expect(() => requireWebhookVerification(loadSettings({}))).toThrow(/FRESHCHAT_WEBHOOK_SECRET/);
    expect(() => requireWebhookVerification(loadSettings({ FRESHCHAT_WEBHOOK_SECRET: 's' }))).not.toThrow();
  });
});
