export { conversationWorkflow } from './conversation';
export { weeklyReportWorkflow, scheduledWeeklyReportWorkflow, analyticsDailyWorkflow } from './weekly-report';
