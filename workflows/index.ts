export { conversationWorkflow } from './conversation-workflow';
export { contextSyncWorkflow } from './context-sync-workflow';
export { weeklyReportWorkflow, scheduledWeeklyReportWorkflow, analyticsDailyWorkflow } from './weekly-report-workflow';
export { slaDeliveryWorkflow } from './sla-delivery-workflow';
export { reconciliationWorkflow } from './reconciliation-workflow';
