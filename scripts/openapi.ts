// Writes docs/openapi.json from the route schemas (`npm run openapi`). A test fails when the committed
// document and the code disagree, so the API reference never drifts.
import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { createServices } from '../src/container.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/database.js';

export const OPENAPI_FILE = path.resolve(import.meta.dirname, '../../docs/openapi.json');

export async function generateOpenApi(): Promise<string> {
  const database = await openDatabase({ dataDir: 'memory://' });
  try {
    const app = await buildApp(createServices(database, loadConfig({})), { logger: false });
    await app.ready();
    const doc = app.swagger();
    await app.close();
    return `${JSON.stringify(doc, null, 2)}\n`;
  } finally {
    await database.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  fs.writeFileSync(OPENAPI_FILE, await generateOpenApi());
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}
