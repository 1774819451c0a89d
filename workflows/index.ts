export { conversationWorkflow } from './conversation';
export { contextSyncWorkflow } from './context-sync';
export { weeklyReportWorkflow, scheduledWeeklyReportWorkflow, analyticsDailyWorkflow } from './weekly-report';
