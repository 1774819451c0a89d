import { proxyActivities } from '@temporalio/workflow';
import type { EscalationOutcome, SlaActivities } from '../activities/sla-activities';
import type { SlaDelivery } from '../domain/sla/sla-step';

// Retried with backoff for up to three days: a receiver or Freshchat that is down for a while still gets it.
const deliveries = proxyActivities<Pick<SlaActivities, 'deliverOutboundEvent' | 'escalateSlaBreach'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '3 days',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * One delivery, as its own workflow: at least once, and outliving the conversation run that started it. An
 * escalation's result says what became of it (escalated, or skipped and why).
 */
export async function slaDeliveryWorkflow(job: SlaDelivery): Promise<EscalationOutcome | void> {
  if (job.kind === 'event') await deliveries.deliverOutboundEvent(job.delivery);
  else return deliveries.escalateSlaBreach(job.request);
}
