import type { cliZh } from './cli.zh.js';

/** 命令行 / command line (English). */
export const cliEn: Record<keyof typeof cliZh, string> = {
  'cli.description': 'govhub — integrated government data platform',
  'cli.serving': 'govhub is running at {url}',
  'cli.storage': 'Storage: {kind} ({location})',
  'cli.docs': 'API reference: {url}',
  'cli.demoLogins': 'Demo logins (password {password} for all):',
  'cli.demoKeys': 'Demo app API keys (shown this once):',
  'cli.demoGrants': 'Grants of the demo apps (call the governed data API with the keys above):',
  'cli.demoGrantTry': 'Try it ({app}, grant {grant}):',
  'cli.demoSeeded': 'Demo city written: {orgs} organizations, {users} users, {apps} apps',
  'cli.demoExisting': 'The demo city is already there; nothing written',
  'cli.migrated': 'Database up to date (version {current}); {count} migrations applied now',
  'cli.backupDone': 'Backed up to {file} ({bytes} bytes)',
  'cli.restoreDone': 'Restored {file} into {dir}',
  'cli.shuttingDown': 'Shutting down…',
  'cli.created': 'Created: {what}',
  'cli.updated': 'Updated: {what}',
  'cli.keySecret': 'Save this key now; it will not be shown again:',
  'cli.revoked': 'Revoked key {key}',
  'cli.none': '(none)',
  'cli.error': 'Error',
};
