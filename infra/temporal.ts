import { Client, Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../domain/conversation/search-attributes';
import { payloadDataConverter } from './payload-codec';
import type { TemporalSettings } from './settings';
import { clientTracing, type Tracing } from './tracing';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/**
 * A client whose connection is made on first use, so the API starts (and answers 503) while
 * Temporal is still down, and reconnects by itself once it is up. With tracing, every signal and start carries
 * the active trace into the workflow.
 */
export function createTemporalClient(
  settings: Pick<TemporalSettings, 'address' | 'namespace'> &
    Partial<Pick<TemporalSettings, 'connection' | 'payloadKeys'>>,
  tracing?: Tracing,
): Client {
  return new Client({
    connection: Connection.lazy(settings.connection ?? { address: settings.address }),
    namespace: settings.namespace,
    dataConverter: payloadDataConverter(settings.payloadKeys ?? []),
    ...(tracing && { interceptors: clientTracing(tracing) }),
  });
}

const INDEXED_TYPE = {
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
} as const;

/** Registers our custom search attributes in the namespace; already-registered ones are left alone. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !(k.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map((k) => [
        k.name,
        INDEXED_TYPE[k.type as keyof typeof INDEXED_TYPE] ?? IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
}
