import { Context, type Context as ActivityContext } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/**
 * The project's own worker metrics. They go through the Temporal SDK's metric meter, so they are served on the
 * same Prometheus endpoint as the SDK's runtime metrics (WORKER_METRICS_PORT); without it they cost nothing.
 */

/** Counts each failed activity attempt by activity and by failure type (retried or not). */
export const countActivityFailures: ActivityInterceptorsFactory = (ctx: ActivityContext) => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (error) {
        const failure = error as { type?: string; nonRetryable?: boolean; name?: string };
        ctx.metricMeter
          .createCounter('slo_activity_failures', 'failures', 'Activity attempts that failed, by activity and type')
          .withTags({
            activity: ctx.info.activityType,
            type: failure.type ?? failure.name ?? 'Error',
            retryable: String(!failure.nonRetryable),
          })
          .add(1);
        throw error;
      }
    },
  },
});

/** One more conversation event stored in an incidence's timeline (a redelivery does not count). */
export function countEventApplied(eventType: string): void {
  Context.current()
    .metricMeter.createCounter('slo_events_applied', 'events', 'Conversation events applied to an incidence timeline')
    .withTags({ event_type: eventType })
    .add(1);
}

/** One conversation event dead-lettered (PostgreSQL refused its data), by the step that was refused. */
export function countDeadLetter(step: string): void {
  Context.current()
    .metricMeter.createCounter('slo_dead_letters', 'events', 'Conversation events dead-lettered, by refused step')
    .withTags({ step })
    .add(1);
}
