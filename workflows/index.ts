export { conversationWorkflow } from './conversation';
export { contextSyncWorkflow } from './context-sync';
