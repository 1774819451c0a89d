import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKey } from './security-settings';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/**
 * Encrypts every workflow and activity payload with AES-256-GCM (node:crypto). The whole payload, metadata
 * included, is sealed; the key id travels in clear metadata (and is bound as associated data) so older keys keep
 * decrypting after a rotation. Payloads that are not encrypted (histories recorded before the codec) pass through.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: PayloadKey[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0]!;
    return Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        cipher.setAAD(utf8(id));
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) }, data: sealed };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // A throw inside the executor becomes a rejection, as callers of a codec expect.
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decodeOne(payload))));
  }

  private decodeOne(payload: Payload): Payload {
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const id = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
    const key = this.byId.get(id);
    if (!key)
      throw new Error(`payload encrypted with unknown key id ${JSON.stringify(id)}; add it to TEMPORAL_PAYLOAD_KEYS`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(utf8(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/** The data converter of every Temporal client and worker: encrypting when keys are configured. */
export function payloadDataConverter(keys: PayloadKey[]): DataConverter | undefined {
  return keys.length > 0 ? { payloadCodecs: [new EncryptionCodec(keys)] } : undefined;
}
