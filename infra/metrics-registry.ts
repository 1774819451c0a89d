import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry (the API serves it at GET /metrics on API_METRICS_PORT). One per process: every
 * app instance in it counts into the same series, as Prometheus expects of one scrape target.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
