import {
  createWebhookVerifier,
  hmacSignatureValid,
  loadFreshchatKey,
  rsaSignatureValid,
} from '../../api/webhooks/signature';
import { fixture, fixtureText, HMAC_SECRET, PUBLIC_KEY_FORMS, SIGNATURE_VECTORS } from '../support/signing';

const realFiles = [
  'real-message_create.json',
  'real-message_create-agent.json',
  'real-conversation_assignment.json',
  'real-conversation_resolution.json',
  'real-conversation_reopen.json',
];
const specFiles = [
  'simplified-message_create.json',
  'simplified-message_create-agent.json',
  'simplified-conversation_assignment.json',
  'simplified-conversation_resolution.json',
  'simplified-conversation_reopen.json',
];

describe.each(['public_key_spki_pem', 'public_key_rsa_label_spki_body', 'public_key_single_line'])(
  'Freshchat RSA key given as %s',
  (form) => {
    const key = loadFreshchatKey(PUBLIC_KEY_FORMS[form]!);
    test.each(realFiles)('verifies %s over its exact bytes and compact JSON', (file) => {
      const text = fixtureText(file);
      expect(rsaSignatureValid(Buffer.from(text), SIGNATURE_VECTORS[file]!.file_bytes as string, key)).toBe(true);
      expect(
        rsaSignatureValid(
          Buffer.from(JSON.stringify(JSON.parse(text))),
          SIGNATURE_VECTORS[file]!.compact_json as string,
          key,
        ),
      ).toBe(true);
    });
  },
);

test('an RSA signature fails once the body is re-formatted', () => {
  const key = loadFreshchatKey(PUBLIC_KEY_FORMS.public_key_single_line!);
  const text = fixtureText('real-message_create.json');
  expect(
    rsaSignatureValid(
      Buffer.from(JSON.stringify(JSON.parse(text))),
      SIGNATURE_VECTORS['real-message_create.json']!.file_bytes as string,
      key,
    ),
  ).toBe(false);
});

test.each(specFiles)('HMAC hex verifies %s', (file) => {
  const text = fixtureText(file);
  expect(hmacSignatureValid(Buffer.from(text), SIGNATURE_VECTORS[file]!.file_bytes as string, HMAC_SECRET)).toBe(true);
  expect(hmacSignatureValid(Buffer.from(text), SIGNATURE_VECTORS[file]!.file_bytes as string, 'another-secret')).toBe(
    false,
  );
});

test('sequence events verify one by one', () => {
  const { events } = fixture('real-sequence-wedding-order.json');
  const key = loadFreshchatKey(PUBLIC_KEY_FORMS.public_key_rsa_label_spki_body!);
  const signatures = SIGNATURE_VECTORS['real-sequence-wedding-order.json']!.events_compact_json as string[];
  events.forEach((event: unknown, i: number) =>
    expect(rsaSignatureValid(Buffer.from(JSON.stringify(event)), signatures[i]!, key)).toBe(true),
  );
});

describe('createWebhookVerifier', () => {
  const verify = createWebhookVerifier({ secret: HMAC_SECRET, publicKey: PUBLIC_KEY_FORMS.public_key_spki_pem });
  const spec = Buffer.from(fixtureText('simplified-message_create.json'));
  const real = Buffer.from(fixtureText('real-message_create.json'));
  test('accepts either configured scheme', () => {
    expect(verify(spec, SIGNATURE_VECTORS['simplified-message_create.json']!.file_bytes as string)).toBe(true);
    expect(verify(real, SIGNATURE_VECTORS['real-message_create.json']!.file_bytes as string)).toBe(true);
  });
  test('refuses missing, malformed and swapped signatures', () => {
    expect(verify(spec, undefined)).toBe(false);
    expect(verify(spec, 'not-hex')).toBe(false);
    expect(verify(real, SIGNATURE_VECTORS['simplified-message_create.json']!.file_bytes as string)).toBe(false);
    expect(
      verify(
        Buffer.concat([real, Buffer.from(' ')]),
        SIGNATURE_VECTORS['real-message_create.json']!.file_bytes as string,
      ),
    ).toBe(false);
  });
  test('with only a secret, RSA signatures are refused', () => {
    const hmacOnly = createWebhookVerifier({ secret: HMAC_SECRET });
    expect(hmacOnly(real, SIGNATURE_VECTORS['real-message_create.json']!.file_bytes as string)).toBe(false);
  });
});
