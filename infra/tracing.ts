import { context, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { Settings } from './settings';

/**
 * OpenTelemetry tracing of one process: the API's request spans and Temporal client spans, the worker's workflow
 * and activity spans (the Temporal SDK's OpenTelemetry interceptors). Off unless an OTLP endpoint is configured:
 * then nothing below is created and no interceptor is installed.
 */
export interface Tracing {
  tracer: Tracer;
  /** Workflow spans are made inside the workflow sandbox and reach this processor through a sink. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Exports the spans still buffered. */
  shutdown(): Promise<void>;
}

export const SERVICE_NAMES = { api: 'support-led-ordering-api', worker: 'support-led-ordering-worker' } as const;

export function startTracing(service: keyof typeof SERVICE_NAMES, settings: Settings['tracing']): Tracing | undefined {
  if (!settings.tracesUrl) return undefined;
  const exporter = new OTLPTraceExporter({ url: settings.tracesUrl });
  return tracingWith(SERVICE_NAMES[service], new BatchSpanProcessor(exporter));
}

/** Tracing of one service into `spanProcessor` (the tests give an in-memory exporter's). */
export function tracingWith(serviceName: string, spanProcessor: SpanProcessor): Tracing {
  installContextPropagation();
  const resource = new Resource({ 'service.name': serviceName });
  // Not registered as the global provider: the tests run the API and the worker, each with its own, in one process.
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  return {
    tracer: provider.getTracer('support-led-ordering'),
    spanProcessor,
    resource,
    shutdown: () => provider.shutdown(),
  };
}

let installed = false;

/** The active span follows async calls, and crosses into Temporal headers as W3C trace context. Once per process. */
function installContextPropagation(): void {
  if (installed) return;
  installed = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/** The workflow interceptors module: a workflow bundle built with it makes workflow spans (tests bundle their own). */
export const WORKFLOW_TRACING_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/**
 * What a worker adds to trace its workflows and activities: activity spans, and the sink that takes workflow spans
 * out of the sandbox. The workflow spans need WORKFLOW_TRACING_MODULE in the bundle as well.
 */
export function workerTracing(tracing: Tracing) {
  const options = { tracer: tracing.tracer };
  const activity: ActivityInterceptorsFactory = (ctx) => ({
    inbound: new OpenTelemetryActivityInboundInterceptor(ctx, options),
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  });
  const exporter = makeWorkflowExporter(tracing.spanProcessor, tracing.resource);
  const sinks: InjectedSinks<OpenTelemetrySinks> = {
    // The SDK copies the whole workflow info onto each span: search attributes and memo would leave with it.
    exporter: { export: { fn: (info, spans) => exporter.export.fn(identityOf(info), spans) } },
  };
  return { activity, sinks, workflowModules: [WORKFLOW_TRACING_MODULE] };
}

/** The workflow info a span keeps: which run of which workflow, nothing the workflow was given or published. */
const identityOf = (info: WorkflowInfo): WorkflowInfo =>
  ({
    workflowId: info.workflowId,
    runId: info.runId,
    workflowType: info.workflowType,
    taskQueue: info.taskQueue,
    namespace: info.namespace,
    attempt: info.attempt,
  }) as WorkflowInfo;

/** Client interceptors that start a span per start, signal or signalWithStart and carry it to the workflow. */
export const clientTracing = (tracing: Tracing) => ({
  workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })],
});
