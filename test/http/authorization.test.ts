import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { writeSheet } from '../../src/catalog/sheet.js';
import type { ResourceCreateInput, ResourceDto } from '../../src/contracts/catalog.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { PG_ADMIN_URL, storageKinds } from '../support/db.js';
import { walkSharingFixture } from '../sharing/world.js';

/**
 * Walks every route as every role, as an app's API key and as nobody, and checks the answer against
 * the policy written out here by hand (not derived from the code under test). A route added without
 * a line in POLICY fails the first test.
 */
const ACTORS = [
  'anonymous',
  'sysadmin',
  'secadmin',
  'auditor',
  'catalog_editor',
  'approver',
  'consumer',
  'app',
] as const;
type ActorName = (typeof ACTORS)[number];

interface Fixture {
  orgId: string;
  userId: string;
  appId: string;
  keyId: string;
  /** A draft and a published resource of orgId, and an open demand addressed to orgId. */
  resourceId: string;
  publishedId: string;
  demandId: string;
  eventId: number;
  /** A hosted dataset of orgId's resource, and a fresh upload session into it (complete when `full`). */
  datasetId: string;
  uploadId: string;
  walkResourceId: string;
  /** Sharing records of orgId in the state the route needs (walkSharingFixture). */
  requestId: string;
  grantId: string;
  objectionId: string;
  dataGrantId: string;
  /** A sync job of orgId from a linked dataset (a table on the PostgreSQL server) into its hosted copy. */
  syncJobId: string;
}
interface Call {
  url: string;
  payload?: Record<string, unknown> | Buffer;
  headers?: Record<string, string>;
}
type Policy = {
  allowed: readonly ActorName[] | 'public' | 'authenticated';
  call: (f: Fixture, who: ActorName) => Call;
};

let n = 0;
const u = () => `${Date.now().toString(36)}${n++}`;
const PEOPLE: readonly ActorName[] = [
  'sysadmin',
  'secadmin',
  'auditor',
  'catalog_editor',
  'approver',
  'consumer',
];

const resourceInput = (): ResourceCreateInput => ({
  name: `户籍信息${u()}`,
  classification: { category: '1', item: '01', catalog: '001' },
  abstract: '户籍',
  format: { category: 'database', type: 'dm' },
  items: [{ name: '姓名', dataType: 'C', length: 50 }],
  shareType: 'unconditional',
  openType: 'unconditional',
  updateCycle: 'daily',
});
let sheetBase64 = '';
let datasetResourceId = '';
/** The walk's linked dataset (PostgreSQL table) and the resource behind it. */
let linkedDatasetId = '';
let linkedResourceId = '';
const walkTable = `govhub_walk_${Date.now().toString(36)}_${process.pid}`;
const CSV = Buffer.from('姓名\n张三\n');
const BUREAU_ONLY: readonly ActorName[] = [];
/** The walk's org is a department: the bureau's sharing steps are nobody's here. */
const BUREAU_ONLY_SHARING: readonly ActorName[] = [];

const SHARE_READERS: readonly ActorName[] = ['sysadmin', 'auditor', 'approver', 'consumer', 'app'];
const REQUESTERS: readonly ActorName[] = ['consumer', 'app'];
/** Statistics: everyone but the security administrator (the region, or their own org; apps: their org). */
const STATS_READERS: readonly ActorName[] = [
  'sysadmin',
  'auditor',
  'catalog_editor',
  'approver',
  'consumer',
  'app',
];
const PROVIDER: readonly ActorName[] = ['approver'];
const later = () => new Date(Date.now() + 800 * 86_400_000).toISOString();

const POLICY: Record<string, Policy> = {
  'POST /api/v1/sharing/requests': {
    allowed: REQUESTERS,
    call: (f) => ({
      url: '/api/v1/sharing/requests',
      payload: {
        resources: [{ resource: f.walkResourceId, items: ['district'] }],
        purpose: '用途',
        scenario: '场景',
        legalBasis: '依据',
        modes: ['read'],
        validTo: later(),
      },
    }),
  },
  'GET /api/v1/sharing/requests': {
    allowed: SHARE_READERS,
    call: () => ({ url: '/api/v1/sharing/requests' }),
  },
  'GET /api/v1/sharing/requests/:id': {
    allowed: SHARE_READERS,
    call: (f) => ({ url: `/api/v1/sharing/requests/${f.requestId}` }),
  },
  'POST /api/v1/sharing/requests/:id/decision': {
    allowed: PROVIDER,
    call: (f) => ({
      url: `/api/v1/sharing/requests/${f.requestId}/decision`,
      payload: { decision: 'approve' },
    }),
  },
  'POST /api/v1/sharing/requests/:id/resubmit': {
    allowed: REQUESTERS,
    call: (f) => ({ url: `/api/v1/sharing/requests/${f.requestId}/resubmit` }),
  },
  'POST /api/v1/sharing/requests/:id/withdraw': {
    allowed: REQUESTERS,
    call: (f) => ({ url: `/api/v1/sharing/requests/${f.requestId}/withdraw`, payload: {} }),
  },
  'POST /api/v1/sharing/requests/:id/coordination': {
    allowed: REQUESTERS,
    call: (f) => ({
      url: `/api/v1/sharing/requests/${f.requestId}/coordination`,
      payload: { reason: '请协调' },
    }),
  },
  'POST /api/v1/sharing/requests/:id/coordinate': {
    allowed: BUREAU_ONLY_SHARING,
    call: (f) => ({
      url: `/api/v1/sharing/requests/${f.requestId}/coordinate`,
      payload: { outcome: 'granted' },
    }),
  },
  'GET /api/v1/sharing/grants': { allowed: SHARE_READERS, call: () => ({ url: '/api/v1/sharing/grants' }) },
  'GET /api/v1/sharing/grants/:id': {
    allowed: SHARE_READERS,
    call: (f) => ({ url: `/api/v1/sharing/grants/${f.grantId}` }),
  },
  'POST /api/v1/sharing/grants/:id/suspend': {
    allowed: PROVIDER,
    call: (f) => ({ url: `/api/v1/sharing/grants/${f.grantId}/suspend`, payload: { reason: '核查' } }),
  },
  'POST /api/v1/sharing/grants/:id/resume': {
    allowed: PROVIDER,
    call: (f) => ({ url: `/api/v1/sharing/grants/${f.grantId}/resume` }),
  },
  'POST /api/v1/sharing/grants/:id/revoke': {
    allowed: PROVIDER,
    call: (f) => ({ url: `/api/v1/sharing/grants/${f.grantId}/revoke`, payload: { reason: '结束' } }),
  },
  'POST /api/v1/sharing/grants/:id/renew': {
    allowed: PROVIDER,
    call: (f) => ({ url: `/api/v1/sharing/grants/${f.grantId}/renew`, payload: { validTo: later() } }),
  },
  'POST /api/v1/sharing/objections': {
    allowed: REQUESTERS,
    call: (f) => ({
      url: '/api/v1/sharing/objections',
      payload: { grantId: f.grantId, items: ['district'], recordKeys: ['1'], description: '区县有误' },
    }),
  },
  'GET /api/v1/sharing/objections': {
    allowed: SHARE_READERS,
    call: () => ({ url: '/api/v1/sharing/objections' }),
  },
  'GET /api/v1/sharing/objections/:id': {
    allowed: SHARE_READERS,
    call: (f) => ({ url: `/api/v1/sharing/objections/${f.objectionId}` }),
  },
  'POST /api/v1/sharing/objections/:id/resolve': {
    allowed: PROVIDER,
    call: (f) => ({
      url: `/api/v1/sharing/objections/${f.objectionId}/resolve`,
      payload: { outcome: 'reject', reason: '经核实无误' },
    }),
  },
  'GET /api/v1/sharing/rules': { allowed: SHARE_READERS, call: () => ({ url: '/api/v1/sharing/rules' }) },
  'GET /api/v1/sharing/calendar': {
    allowed: SHARE_READERS,
    call: () => ({ url: '/api/v1/sharing/calendar?year=2026' }),
  },
  'GET /api/v1/stats/overview': {
    allowed: STATS_READERS,
    call: () => ({ url: '/api/v1/stats/overview' }),
  },
  'PUT /api/v1/sharing/rules': {
    allowed: BUREAU_ONLY_SHARING,
    call: () => ({
      url: '/api/v1/sharing/rules',
      payload: { bureauRule: { minLevel: 'important' }, sla: {}, calendarOverrides: [] },
    }),
  },
  'POST /api/v1/sharing/deadlines/sweep': {
    allowed: BUREAU_ONLY_SHARING,
    call: () => ({ url: '/api/v1/sharing/deadlines/sweep' }),
  },
  'GET /api/v1/sharing/notifications': {
    allowed: PEOPLE,
    call: () => ({ url: '/api/v1/sharing/notifications?unread=true' }),
  },
  'POST /api/v1/sharing/notifications/read': {
    allowed: PEOPLE,
    call: () => ({ url: '/api/v1/sharing/notifications/read', payload: {} }),
  },
  'GET /api/v1/data/grants/:grantId/rows': {
    allowed: REQUESTERS,
    call: (f) => ({ url: `/api/v1/data/grants/${f.dataGrantId}/rows` }),
  },
  'GET /api/v1/data/grants/:grantId/stream': {
    allowed: REQUESTERS,
    call: (f) => ({ url: `/api/v1/data/grants/${f.dataGrantId}/stream` }),
  },
  'GET /api/v1/data/grants/:grantId/download': {
    allowed: REQUESTERS,
    call: (f) => ({ url: `/api/v1/data/grants/${f.dataGrantId}/download` }),
  },
  'POST /api/v1/data/grants/:grantId/verify': {
    allowed: REQUESTERS,
    call: (f) => ({
      url: `/api/v1/data/grants/${f.dataGrantId}/verify`,
      payload: { key: { district: '锦江区' }, claims: { population: 100 } },
    }),
  },
  'GET /api/v1/catalog/search': { allowed: 'public', call: () => ({ url: '/api/v1/catalog/search?q=户籍' }) },
  'POST /api/v1/catalog/resources': {
    allowed: ['catalog_editor'],
    call: () => ({ url: '/api/v1/catalog/resources', payload: { ...resourceInput() } }),
  },
  'GET /api/v1/catalog/resources/:id': {
    allowed: 'public',
    call: (f) => ({ url: `/api/v1/catalog/resources/${f.publishedId}` }),
  },
  'PATCH /api/v1/catalog/resources/:id': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/catalog/resources/${f.resourceId}`, payload: { abstract: '改' } }),
  },
  'POST /api/v1/catalog/resources/:id/submit': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/catalog/resources/${f.resourceId}/submit`, payload: {} }),
  },
  // The walk's people belong to a department, not the data bureau: nobody there may review.
  'POST /api/v1/catalog/resources/:id/approve': {
    allowed: BUREAU_ONLY,
    call: (f) => ({ url: `/api/v1/catalog/resources/${f.resourceId}/approve`, payload: {} }),
  },
  'POST /api/v1/catalog/resources/:id/reject': {
    allowed: BUREAU_ONLY,
    call: (f) => ({ url: `/api/v1/catalog/resources/${f.resourceId}/reject`, payload: { comment: '退回' } }),
  },
  'POST /api/v1/catalog/resources/:id/publish': {
    allowed: BUREAU_ONLY,
    call: (f) => ({ url: `/api/v1/catalog/resources/${f.resourceId}/publish`, payload: {} }),
  },
  'POST /api/v1/catalog/resources/:id/deprecate': {
    allowed: ['catalog_editor'],
    call: (f) => ({
      url: `/api/v1/catalog/resources/${f.publishedId}/deprecate`,
      payload: { reason: '停用' },
    }),
  },
  'GET /api/v1/catalog/resources/:id/history': {
    allowed: 'public',
    call: (f) => ({ url: `/api/v1/catalog/resources/${f.publishedId}/history` }),
  },
  'GET /api/v1/catalog/resources/:id/versions/:version': {
    allowed: 'public',
    call: (f) => ({ url: `/api/v1/catalog/resources/${f.publishedId}/versions/1` }),
  },
  'GET /api/v1/catalog/resources/:id/dcat': {
    allowed: 'public',
    call: (f) => ({ url: `/api/v1/catalog/resources/${f.publishedId}/dcat` }),
  },
  'GET /api/v1/catalog/dcat': { allowed: 'public', call: () => ({ url: '/api/v1/catalog/dcat' }) },
  'GET /api/v1/catalog/duties': { allowed: 'authenticated', call: () => ({ url: '/api/v1/catalog/duties' }) },
  'POST /api/v1/catalog/duties': {
    allowed: BUREAU_ONLY,
    call: (f) => ({ url: '/api/v1/catalog/duties', payload: { orgId: f.orgId, name: `责任${u()}` } }),
  },
  'GET /api/v1/catalog/duties/coverage': {
    allowed: 'authenticated',
    call: () => ({ url: '/api/v1/catalog/duties/coverage' }),
  },
  'GET /api/v1/catalog/demands': { allowed: 'public', call: () => ({ url: '/api/v1/catalog/demands' }) },
  'POST /api/v1/catalog/demands': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/catalog/demands', payload: { title: '需求', description: '说明' } }),
  },
  'POST /api/v1/catalog/demands/:id/answer': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/catalog/demands/${f.demandId}/answer`, payload: { answer: '已答复' } }),
  },
  'GET /api/v1/catalog/negative-list': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/catalog/negative-list' }),
  },
  'GET /api/v1/catalog/export': { allowed: 'authenticated', call: () => ({ url: '/api/v1/catalog/export' }) },
  'POST /api/v1/catalog/import': {
    allowed: ['catalog_editor'],
    call: () => ({ url: '/api/v1/catalog/import', payload: { file: sheetBase64 } }),
  },
  'GET /api/v1/datasets': {
    allowed: ['catalog_editor'],
    call: () => ({ url: `/api/v1/datasets?resource=${datasetResourceId}` }),
  },
  'GET /api/v1/datasets/advice': {
    allowed: ['catalog_editor'],
    call: () => ({ url: '/api/v1/datasets/advice' }),
  },
  'GET /api/v1/datasets/:id': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/${f.datasetId}` }),
  },
  'GET /api/v1/datasets/:id/versions': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/${f.datasetId}/versions` }),
  },
  'GET /api/v1/datasets/:id/loads': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/${f.datasetId}/loads` }),
  },
  'GET /api/v1/datasets/:id/quarantine': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/${f.datasetId}/quarantine` }),
  },
  'POST /api/v1/datasets/:id/quarantine/resubmit': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/${f.datasetId}/quarantine/resubmit`, payload: { rows: [] } }),
  },
  'GET /api/v1/datasets/:id/form': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/${f.datasetId}/form` }),
  },
  'POST /api/v1/datasets/:id/rows': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/${f.datasetId}/rows`, payload: { rows: [{ 姓名: '李四' }] } }),
  },
  'POST /api/v1/datasets/uploads': {
    allowed: ['catalog_editor'],
    call: () => ({
      url: '/api/v1/datasets/uploads',
      payload: { fileName: 'a.csv', size: CSV.length, resource: datasetResourceId },
    }),
  },
  'GET /api/v1/datasets/uploads/:id': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/uploads/${f.uploadId}` }),
  },
  'PUT /api/v1/datasets/uploads/:id': {
    allowed: ['catalog_editor'],
    call: (f) => ({
      url: `/api/v1/datasets/uploads/${f.uploadId}`,
      payload: CSV,
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `bytes 0-${CSV.length - 1}/${CSV.length}`,
      },
    }),
  },
  'POST /api/v1/datasets/uploads/:id/preview': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/uploads/${f.uploadId}/preview`, payload: {} }),
  },
  'POST /api/v1/datasets/uploads/:id/commit': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/uploads/${f.uploadId}/commit`, payload: { mode: 'append' } }),
  },
  'GET /api/v1/datasets/sync-jobs': {
    allowed: ['catalog_editor'],
    call: () => ({ url: '/api/v1/datasets/sync-jobs' }),
  },
  'POST /api/v1/datasets/sync-jobs': {
    allowed: ['catalog_editor'],
    call: () => ({
      url: '/api/v1/datasets/sync-jobs',
      payload: { from: linkedDatasetId, resource: linkedResourceId, mode: 'full', everyMinutes: 60 },
    }),
  },
  'GET /api/v1/datasets/sync-jobs/:id': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/sync-jobs/${f.syncJobId}` }),
  },
  'PATCH /api/v1/datasets/sync-jobs/:id': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/sync-jobs/${f.syncJobId}`, payload: { enabled: false } }),
  },
  'DELETE /api/v1/datasets/sync-jobs/:id': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/sync-jobs/${f.syncJobId}` }),
  },
  'POST /api/v1/datasets/sync-jobs/:id/run': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/sync-jobs/${f.syncJobId}/run` }),
  },
  'GET /api/v1/datasets/sync-jobs/:id/runs': {
    allowed: ['catalog_editor'],
    call: (f) => ({ url: `/api/v1/datasets/sync-jobs/${f.syncJobId}/runs` }),
  },
  'GET /healthz': { allowed: 'public', call: () => ({ url: '/healthz' }) },
  'GET /metrics': { allowed: 'public', call: () => ({ url: '/metrics' }) },
  'GET /api/openapi.json': { allowed: 'public', call: () => ({ url: '/api/openapi.json' }) },
  'GET /*': { allowed: 'public', call: () => ({ url: '/console/users' }) },
  'GET /api/v1/auth/config': { allowed: 'public', call: () => ({ url: '/api/v1/auth/config' }) },
  'GET /api/v1/auth/me': { allowed: 'authenticated', call: () => ({ url: '/api/v1/auth/me' }) },
  'GET /api/v1/orgs': { allowed: 'authenticated', call: () => ({ url: '/api/v1/orgs' }) },
  'GET /api/v1/orgs/:id': { allowed: 'authenticated', call: (f) => ({ url: `/api/v1/orgs/${f.orgId}` }) },
  'POST /api/v1/orgs': {
    allowed: ['sysadmin'],
    call: () => ({ url: '/api/v1/orgs', payload: { code: `o${u()}`, name: '新机构', kind: 'department' } }),
  },
  'PATCH /api/v1/orgs/:id': {
    allowed: ['sysadmin'],
    call: (f) => ({ url: `/api/v1/orgs/${f.orgId}`, payload: { nameEn: 'Renamed' } }),
  },
  'GET /api/v1/users': {
    allowed: ['sysadmin', 'secadmin', 'auditor', 'approver'],
    call: () => ({ url: '/api/v1/users' }),
  },
  'GET /api/v1/users/:id': {
    allowed: ['sysadmin', 'secadmin', 'auditor', 'approver'],
    call: (f) => ({ url: `/api/v1/users/${f.userId}` }),
  },
  'POST /api/v1/users': {
    allowed: ['sysadmin'],
    call: (f) => ({
      url: '/api/v1/users',
      payload: { username: `n${u()}`, displayName: '新用户', orgId: f.orgId },
    }),
  },
  'PATCH /api/v1/users/:id': {
    allowed: ['sysadmin'],
    call: (f) => ({ url: `/api/v1/users/${f.userId}`, payload: { displayName: '改名' } }),
  },
  'PUT /api/v1/users/:id/roles': {
    allowed: ['secadmin'],
    call: (f) => ({ url: `/api/v1/users/${f.userId}/roles`, payload: { roles: ['catalog_editor'] } }),
  },
  'PUT /api/v1/users/:id/password': {
    allowed: ['secadmin'],
    call: (f) => ({ url: `/api/v1/users/${f.userId}/password`, payload: { password: 'New@Pass2026' } }),
  },
  'POST /api/v1/users/:id/unlock': {
    allowed: ['secadmin'],
    call: (f) => ({ url: `/api/v1/users/${f.userId}/unlock` }),
  },
  'GET /api/v1/apps': {
    allowed: ['sysadmin', 'secadmin', 'auditor', 'consumer', 'app'],
    call: () => ({ url: '/api/v1/apps' }),
  },
  'GET /api/v1/apps/:id': {
    allowed: ['sysadmin', 'secadmin', 'auditor', 'consumer', 'app'],
    call: (f) => ({ url: `/api/v1/apps/${f.appId}` }),
  },
  'POST /api/v1/apps': {
    allowed: ['sysadmin', 'consumer'],
    call: (f) => ({ url: '/api/v1/apps', payload: { name: `app${u()}`, orgId: f.orgId } }),
  },
  'PATCH /api/v1/apps/:id': {
    allowed: ['sysadmin', 'consumer'],
    call: (f) => ({ url: `/api/v1/apps/${f.appId}`, payload: { description: '说明' } }),
  },
  'GET /api/v1/apps/:id/keys': {
    allowed: ['secadmin', 'consumer'],
    call: (f) => ({ url: `/api/v1/apps/${f.appId}/keys` }),
  },
  'POST /api/v1/apps/:id/keys': {
    allowed: ['secadmin', 'consumer'],
    call: (f) => ({ url: `/api/v1/apps/${f.appId}/keys`, payload: { name: `k${u()}` } }),
  },
  'DELETE /api/v1/apps/:id/keys/:keyId': {
    allowed: ['secadmin', 'consumer'],
    call: (f) => ({ url: `/api/v1/apps/${f.appId}/keys/${f.keyId}` }),
  },
  'GET /api/v1/ledger/events': {
    allowed: ['auditor'],
    call: () => ({ url: '/api/v1/ledger/events?limit=5' }),
  },
  // Ledger: the log itself (checkpoints, hash tiles, proofs, receipts, keys) is public so anyone can
  // mirror and verify it; entries (who did what) are for auditors; keys and erasure for secadmin.
  'DELETE /api/v1/ledger/events/:id/personal': {
    allowed: ['secadmin'],
    call: (f) => ({ url: `/api/v1/ledger/events/${f.eventId}/personal` }),
  },
  'GET /api/v1/ledger': { allowed: 'public', call: () => ({ url: '/api/v1/ledger' }) },
  'GET /api/v1/ledger/log/checkpoint': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/ledger/log/checkpoint' }),
  },
  'GET /api/v1/ledger/log/tile/entries/*': {
    allowed: ['auditor'],
    call: () => ({ url: '/api/v1/ledger/log/tile/entries/000.p/1' }),
  },
  'GET /api/v1/ledger/log/tile/:level/*': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/ledger/log/tile/0/000.p/1' }),
  },
  'GET /api/v1/ledger/checkpoints': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/ledger/checkpoints' }),
  },
  'GET /api/v1/ledger/keys': { allowed: 'public', call: () => ({ url: '/api/v1/ledger/keys' }) },
  'POST /api/v1/ledger/keys/rotate': {
    allowed: ['secadmin'],
    call: () => ({ url: '/api/v1/ledger/keys/rotate', payload: { alg: 'ed25519' } }),
  },
  'GET /api/v1/ledger/proofs/inclusion': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/ledger/proofs/inclusion?index=0' }),
  },
  'GET /api/v1/ledger/proofs/consistency': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/ledger/proofs/consistency?first=1' }),
  },
  'GET /api/v1/ledger/receipts/:id': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/ledger/receipts/1' }),
  },
  'POST /api/v1/ledger/witness/logs': {
    allowed: ['secadmin'],
    call: () => ({
      url: '/api/v1/ledger/witness/logs',
      payload: { vkey: 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k' },
    }),
  },
  'POST /api/v1/ledger/witness/add-checkpoint': {
    allowed: 'public',
    call: () => ({
      url: '/api/v1/ledger/witness/add-checkpoint',
      payload: 'old 0\n\nnot a checkpoint\n' as never,
    }),
  },
  // Sign-in endpoints are public by nature; they are exercised in auth.http.test.ts.
  'POST /api/v1/auth/login': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/auth/login', payload: { username: 'nobody', password: 'x' } }),
  },
  'POST /api/v1/auth/token': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/auth/token', payload: { username: 'nobody', password: 'x' } }),
  },
  'POST /api/v1/auth/logout': { allowed: PEOPLE, call: () => ({ url: '/api/v1/auth/logout' }) },
  'GET /api/v1/auth/oidc/login': { allowed: 'public', call: () => ({ url: '/api/v1/auth/oidc/login' }) },
  'GET /api/v1/auth/oidc/callback': {
    allowed: 'public',
    call: () => ({ url: '/api/v1/auth/oidc/callback?state=x&code=y' }),
  },
};

function expectedAllowed(policy: Policy, who: ActorName): boolean {
  if (policy.allowed === 'public') {
    return true;
  }
  if (policy.allowed === 'authenticated') {
    return who !== 'anonymous';
  }
  return policy.allowed.includes(who);
}

for (const kind of storageKinds()) {
  describe(`authorization walk on ${kind}`, () => {
    let ctx: TestContext;
    let orgId: string;
    let otherOrgId: string;
    let eventId: number;
    let datasetId = '';
    const headers = new Map<ActorName, () => Promise<Record<string, string>>>();
    const renew = new Map<ActorName, () => void>();

    before(async () => {
      ctx = await createTestContext(kind);
      const org = await ctx.newOrg();
      orgId = org.id;
      // a one-resource sheet with a fresh name, for the import route (only one actor's import succeeds)
      const one = await ctx.services.catalog.createResource(SYSTEM, {
        ...resourceInput(),
        providerOrgId: orgId,
      });
      const sheetOf = { ...one, name: `导入${u()}`, code: '' } as ResourceDto;
      sheetBase64 = (await writeSheet([sheetOf])).toString('base64');
      // A hosted dataset behind one of orgId's resources, for the dataset routes.
      datasetResourceId = one.id;
      const dir = mkdtempSync(path.join(tmpdir(), 'govhub-walk-'));
      writeFileSync(path.join(dir, 'a.csv'), CSV);
      datasetId = (
        await ctx.services.datasets.importFile(SYSTEM, { file: path.join(dir, 'a.csv'), resource: one.id })
      ).datasetId;
      // A linked dataset of orgId over a table on the PostgreSQL server, for the sync-job routes.
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`create table if not exists ${walkTable} (id int primary key, name text)`);
      await admin.query(`insert into ${walkTable} values (1, '张三') on conflict do nothing`);
      await admin.end();
      const pgUrl = new URL(PG_ADMIN_URL);
      const source = await ctx.services.datasets.createSource(SYSTEM, {
        name: `walk-${u()}`,
        org: org.code,
        kind: 'postgres',
        host: pgUrl.hostname,
        port: Number(pgUrl.port || 5432),
        database: pgUrl.pathname.slice(1),
        username: decodeURIComponent(pgUrl.username),
        password: decodeURIComponent(pgUrl.password) || 'unused',
      });
      const linkedDs = await ctx.services.datasets.link(SYSTEM, {
        source: source.id,
        table: walkTable,
        newResource: `walk-linked-${u()}`,
      });
      linkedDatasetId = linkedDs.id;
      linkedResourceId = linkedDs.resourceId;
      otherOrgId = (await ctx.newOrg()).id;
      // An event with personal data, integrated, so the ledger routes have something to serve.
      eventId = await ctx.services.database.db
        .transaction()
        .execute((trx) =>
          ctx.services.ledger.record(trx, SYSTEM, { type: 'walk.personal', personal: { name: '张三' } }),
        );
      await ctx.services.ledger.integrate();
      const app = await ctx.services.apps.create(SYSTEM, { name: `walk${u()}`, orgId });
      const { secret } = await ctx.services.apps.createKey(SYSTEM, app.id, { name: 'walk' });
      headers.set('anonymous', async () => ({}));
      headers.set('app', async () => ({ 'x-api-key': secret }));
      for (const role of PEOPLE) {
        // One session per role, renewed after a call that ends it (logout).
        const user = await ctx.newUser(orgId, [role]);
        let session: Record<string, string> | undefined;
        headers.set(role, async () => (session ??= await ctx.bearer(user.username)));
        renew.set(role, () => {
          session = undefined;
        });
      }
    });
    after(async () => {
      await ctx.close();
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`drop table if exists ${walkTable}`);
      await admin.end();
    });

    async function fixture(route: string): Promise<Fixture> {
      const user = await ctx.newUser(orgId, ['approver']);
      const app = await ctx.services.apps.create(SYSTEM, { name: `t${u()}`, orgId });
      const { key } = await ctx.services.apps.createKey(SYSTEM, app.id, { name: 't' });
      let uploadId = '-';
      if (route.includes('/datasets/uploads/:id')) {
        const up = await ctx.services.datasets.createUpload(SYSTEM, {
          fileName: 'a.csv',
          size: CSV.length,
          resource: datasetResourceId,
        });
        uploadId = up.id;
        if (route.endsWith('/commit') || route.endsWith('/preview')) {
          await ctx.services.datasets.putChunk(
            SYSTEM,
            up.id,
            { start: 0, end: CSV.length - 1, total: CSV.length },
            CSV,
          );
        }
      }
      const sharing = await walkSharingFixture(ctx, orgId, route);
      const syncJobId = route.includes('/sync-jobs/:id')
        ? (
            await ctx.services.syncJobs.create(SYSTEM, {
              from: linkedDatasetId,
              resource: linkedResourceId,
              mode: 'full',
              everyMinutes: 60,
            })
          ).id
        : '-';
      const base = {
        syncJobId,
        orgId,
        userId: user.id,
        appId: app.id,
        keyId: key.id,
        eventId,
        datasetId,
        uploadId,
        ...sharing,
      };
      // Catalog records only for the catalog routes that act on one (keeps the walk fast).
      if (!/\/catalog\/(resources|demands)\/:id/.test(route)) {
        return { ...base, resourceId: '-', publishedId: '-', demandId: '-' };
      }
      const c = ctx.services.catalog;
      const draft = await c.createResource(SYSTEM, { ...resourceInput(), providerOrgId: orgId });
      const published = await c.createResource(SYSTEM, { ...resourceInput(), providerOrgId: orgId });
      await c.submit(SYSTEM, published.id);
      await c.approve(SYSTEM, published.id);
      await c.publish(SYSTEM, published.id);
      const demand = await c.createDemand(SYSTEM, { title: '需求', description: '说明', targetOrgId: orgId });
      return { ...base, resourceId: draft.id, publishedId: published.id, demandId: demand.id };
    }

    test('every route has a policy line, and every policy line is a route', async () => {
      // The routes the app really serves (HEAD twins and the docs UI's static assets aside)…
      const served = ctx.app.routeTable.filter((r) => !r.startsWith('HEAD ') && !r.includes(' /api/docs'));
      assert.deepEqual([...new Set(served)].sort(), Object.keys(POLICY).sort());
      // …and every one of them but the two machine endpoints and the web app is in the OpenAPI document.
      const spec = (await ctx.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
        paths: Record<string, Record<string, unknown>>;
      }>();
      const documented = Object.entries(spec.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map(
          (m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1').replace('{*}', '*')}`,
        ),
      );
      assert.deepEqual(
        [...documented, 'GET /metrics', 'GET /api/openapi.json', 'GET /*'].sort(),
        Object.keys(POLICY).sort(),
      );
    });

    for (const [route, policy] of Object.entries(POLICY)) {
      test(route, async () => {
        const [method] = route.split(' ') as [string];
        for (const who of ACTORS) {
          const call = policy.call(await fixture(route), who);
          const res = await ctx.inject({
            method: method as 'GET',
            url: call.url,
            headers: {
              ...(await (headers.get(who) as () => Promise<Record<string, string>>)()),
              ...call.headers,
            },
            ...(call.payload ? { payload: call.payload } : {}),
          });
          if (route === 'POST /api/v1/auth/logout') {
            renew.get(who)?.();
          }
          const allowed = expectedAllowed(policy, who);
          if (allowed) {
            assert.ok(
              ![401, 403].includes(res.statusCode) || policy.allowed === 'public',
              `${route} as ${who}: expected access, got ${res.statusCode} ${res.body}`,
            );
            if (policy.allowed !== 'public') {
              assert.ok(
                res.statusCode < 300,
                `${route} as ${who}: expected success, got ${res.statusCode} ${res.body}`,
              );
            }
          } else {
            assert.equal(res.statusCode, who === 'anonymous' ? 401 : 403, `${route} as ${who}: ${res.body}`);
            const body = res.json<{ error: { code: string }; requestId: string }>();
            assert.ok(body.error.code && body.requestId, `${route} as ${who}: envelope`);
            assert.deepEqual(
              Object.keys(body).sort(),
              ['error', 'requestId'],
              `${route} as ${who}: nothing but the error`,
            );
          }
        }
      });
    }

    test('own-organization reach: a consumer cannot touch another organization’s app', async () => {
      const other = await ctx.services.apps.create(SYSTEM, { name: `other${u()}`, orgId: otherOrgId });
      const h = await (headers.get('consumer') as () => Promise<Record<string, string>>)();
      for (const [method, url] of [
        ['GET', `/api/v1/apps/${other.id}`],
        ['PATCH', `/api/v1/apps/${other.id}`],
        ['GET', `/api/v1/apps/${other.id}/keys`],
        ['POST', `/api/v1/apps/${other.id}/keys`],
      ] as const) {
        const res = await ctx.inject({
          method,
          url,
          headers: h,
          ...(method === 'GET' ? {} : { payload: method === 'PATCH' ? { description: 'x' } : { name: 'x' } }),
        });
        assert.equal(res.statusCode, 403, `${method} ${url}`);
      }
      const create = await ctx.inject({
        method: 'POST',
        url: '/api/v1/apps',
        headers: h,
        payload: { name: 'x', orgId: otherOrgId },
      });
      assert.equal(create.statusCode, 403);
      const list = (await ctx.inject({ method: 'GET', url: '/api/v1/apps', headers: h })).json<
        Array<{ orgId: string }>
      >();
      assert.ok(list.length > 0 && list.every((a) => a.orgId === orgId));
    });
  });
}
