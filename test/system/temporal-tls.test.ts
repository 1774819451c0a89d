import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:tls';
import { NativeConnection } from '@temporalio/worker';
import { loadSettings } from '../../infra/settings';
import { createTemporalClient } from '../../infra/temporal';

/** A CA, a server certificate for localhost and a client certificate, made with openssl for this run. */
function certificates(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  for (const name of ['server', 'client']) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name === 'server' ? 'localhost' : 'worker'}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    writeFileSync(
      path.join(dir, `${name}.ext`),
      name === 'server' ? 'subjectAltName=DNS:localhost' : 'extendedKeyUsage=clientAuth',
    );
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  }
  return (file: string) => path.join(dir, file);
}

let proxy: Server;
let proxyPort: number;
let file: (name: string) => string;

// TLS (with client certificates required) in front of the suite's dev server, which speaks plain gRPC.
beforeAll(async () => {
  file = certificates(mkdtempSync(path.join(tmpdir(), 'slo-tls-')));
  const [host, port] = process.env.TEMPORAL_TEST_ADDRESS!.split(':') as [string, string];
  proxy = createServer(
    {
      key: readFileSync(file('server.key')),
      cert: readFileSync(file('server.pem')),
      ca: readFileSync(file('ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      const upstream = connect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      const close = () => (socket.destroy(), upstream.destroy());
      socket.on('error', close);
      upstream.on('error', close);
    },
  );
  proxy.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyPort = (proxy.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => proxy.close(r)));

const tlsEnv = (extra: Record<string, string> = {}) => ({
  TEMPORAL_ADDRESS: `localhost:${proxyPort}`,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem'),
  TEMPORAL_TLS_SERVER_NAME: 'localhost',
  ...extra,
});
const withClientCert = () =>
  tlsEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key') });

test('mTLS from TEMPORAL_TLS_* variables: the API client and the worker connection reach Temporal', async () => {
  const { temporal } = loadSettings(withClientCert());
  expect(temporal.address).toBe(`localhost:${proxyPort}`);
  const client = createTemporalClient(temporal);
  const described = await client.workflowService.describeNamespace({ namespace: 'default' });
  expect(described.namespaceInfo?.name).toBe('default');
  await client.connection.close();

  const native = await NativeConnection.connect(temporal.connection);
  const info = await native.workflowService.getSystemInfo({});
  expect(info.serverVersion).toBeTruthy();
  await native.close();
});

test('without the client certificate, or without TLS, the same proxy refuses: TLS is really in use', async () => {
  const withoutCert = createTemporalClient(loadSettings(tlsEnv()).temporal);
  await expect(
    withoutCert.connection.withDeadline(Date.now() + 3000, () =>
      withoutCert.workflowService.describeNamespace({ namespace: 'default' }),
    ),
  ).rejects.toThrow();
  const plain = createTemporalClient(loadSettings({ TEMPORAL_ADDRESS: `localhost:${proxyPort}` }).temporal);
  await expect(
    plain.connection.withDeadline(Date.now() + 3000, () =>
      plain.workflowService.describeNamespace({ namespace: 'default' }),
    ),
  ).rejects.toThrow();
});

test('an API key (Temporal Cloud) turns TLS on and travels with every call; a profile file works too', () => {
  const { temporal } = loadSettings({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key-123' });
  expect(temporal.connection).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'key-123', tls: true });

  const profile = path.join(mkdtempSync(path.join(tmpdir(), 'slo-profile-')), 'temporal.toml');
  writeFileSync(
    profile,
    '[profile.prod]\naddress = "prod.example:7233"\nnamespace = "orders"\napi_key = "from-file"\n',
  );
  const fromFile = loadSettings({ TEMPORAL_CONFIG_FILE: profile, TEMPORAL_PROFILE: 'prod' }).temporal;
  expect(fromFile).toMatchObject({ address: 'prod.example:7233', namespace: 'orders' });
  expect(fromFile.connection).toMatchObject({ apiKey: 'from-file', tls: true });
  expect(() => loadSettings({ TEMPORAL_CONFIG_FILE: profile, TEMPORAL_PROFILE: 'missing' })).toThrow(
    /Profile 'missing'/,
  );
});
