// The benchmark's workflow bundle: the product's workflows and the minimal one beside them, on one worker.
export * from '../../workflows';
export { minimalWorkflow } from './minimal-workflow';
