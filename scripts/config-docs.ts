/** Writes .env.example and docs/configuration.md from the configuration schema (infra/config.ts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigurationPage, renderEnvExample } from '../infra/config-docs';

const root = path.join(__dirname, '..');
writeFileSync(path.join(root, '.env.example'), renderEnvExample());
writeFileSync(path.join(root, 'docs', 'configuration.md'), renderConfigurationPage());
console.log('wrote .env.example and docs/configuration.md');
