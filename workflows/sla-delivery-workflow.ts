import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { EscalationOutcome, SlaActivities } from '../activities/sla-activities';
import type { Delivery, SlaDelivery } from '../domain/sla/sla-step';

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

/** Starts each delivery as a workflow that outlives the run starting it; one per id (a repeated hand-off is skipped). */
export async function deliver(deliveries: Delivery[]): Promise<void> {
  await Promise.all(
    deliveries.map(async ({ id, job }) => {
      try {
        await startChild(slaDeliveryWorkflow, {
          workflowId: `sla-delivery-${id}`,
          args: [job],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    }),
  );
}
