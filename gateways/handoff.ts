import { Histogram } from 'prom-client';
import { LATENCY_BUCKETS, registry } from '../infra/metrics-registry';

/** Temporal did not accept a signal in time; the API answers 503 temporal_unavailable. */
export class HandoffRefused extends Error {}

const handoffSeconds = new Histogram({
  name: 'slo_temporal_handoff_seconds',
  help: 'Time for Temporal to accept a signal (signalWithStart), by workflow and result',
  labelNames: ['workflow', 'result'],
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

/** Times `handoff` into the histogram, labelled ok or failed. */
export async function timeHandoff<T>(workflow: string, handoff: () => Promise<T>): Promise<T> {
  const end = handoffSeconds.startTimer({ workflow });
  try {
    const result = await handoff();
    end({ result: 'ok' });
    return result;
  } catch (error) {
    end({ result: 'failed' });
    throw error;
  }
}
