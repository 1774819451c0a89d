#!/usr/bin/env bash
# Fills every empty (or example `dev-only-*`) secret in .env with a fresh random value and prints which it wrote.
# Run by scripts/up.sh on every start; values already set are left alone. Usage: bash scripts/ensure-secrets.sh [.env]
set -euo pipefail
file="${1:-.env}"
node - "$file" <<'JS'
const { randomBytes } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const file = process.argv[2];
const generators = {
  FRESHCHAT_WEBHOOK_SECRET: () => randomBytes(32).toString('hex'),
  APP_JWT_SECRET: () => randomBytes(32).toString('hex'),
  ADMIN_API_TOKEN: () => randomBytes(32).toString('hex'),
  SESSION_SECRET: () => randomBytes(32).toString('hex'),
  CODEC_TOKEN: () => randomBytes(32).toString('hex'),
  ORDERS_WEBHOOK_SECRET: () => randomBytes(32).toString('hex'),
  // Ready for when OUTBOUND_EVENTS_URL is set (the receiver verifies with the same value).
  OUTBOUND_EVENTS_SECRET: () => randomBytes(32).toString('hex'),
  // Key id (dated, so a later key can rotate in front of it) and 32 random bytes.
  TEMPORAL_PAYLOAD_KEYS: () => `dev-${new Date().toISOString().slice(0, 10)}:${randomBytes(32).toString('base64')}`,
};
const lines = readFileSync(file, 'utf8').split('\n');
const seen = new Set();
const written = [];
const out = lines.map((line) => {
  const match = /^([A-Z_]+)=(.*)$/.exec(line);
  if (!match || !(match[1] in generators)) return line;
  seen.add(match[1]);
  const value = match[2].replace(/^["']|["']$/g, '');
  if (value !== '' && !value.startsWith('dev-only-')) return line;
  written.push(match[1]);
  return `${match[1]}=${generators[match[1]]()}`;
});
for (const name of Object.keys(generators)) {
  if (!seen.has(name)) {
    out.splice(out.length - (out.at(-1) === '' ? 1 : 0), 0, `${name}=${generators[name]()}`);
    written.push(name);
  }
}
if (written.length > 0) {
  writeFileSync(file, out.join('\n'), { mode: 0o600 });
  console.log(`generated ${written.join(', ')} in ${file} (random; read them from there)`);
}
JS
chmod 600 "$file"
