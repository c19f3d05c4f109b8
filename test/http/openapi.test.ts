import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { generateOpenApi, OPENAPI_FILE } from '../../scripts/openapi.js';

test('docs/openapi.json is current with the route schemas (run `npm run openapi` after changing routes)', async () => {
  const committed = fs.readFileSync(OPENAPI_FILE, 'utf8');
  const generated = await generateOpenApi();
  assert.equal(committed, generated);
  const doc = JSON.parse(generated) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(Object.keys(doc.paths).includes('/api/v1/orgs'));
});
