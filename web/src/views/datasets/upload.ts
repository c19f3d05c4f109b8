import { api, ApiError, call } from '../../api/client';
import type { paths } from '../../api/schema';

export type Preview =
  paths['/api/v1/datasets/uploads/{id}/preview']['post']['responses'][200]['content']['application/json'];
export type ImportReport =
  paths['/api/v1/datasets/uploads/{id}/commit']['post']['responses'][200]['content']['application/json'];
export type Encoding = 'utf-8' | 'gbk' | 'gb18030';

/** Chunk size of the resumable upload (the server takes up to 8 MiB per PUT). */
export const CHUNK = 1024 * 1024;

/**
 * Sends a file in chunks with Content-Range; after a failed chunk it asks the server for the offset
 * it has and resumes from there (a few times), so a flaky connection does not restart the upload.
 */
export async function uploadChunks(
  id: string,
  file: Blob,
  onProgress: (received: number) => void,
): Promise<void> {
  let offset = 0;
  let retries = 0;
  while (offset < file.size) {
    const end = Math.min(offset + CHUNK, file.size);
    const chunk = await file.slice(offset, end).arrayBuffer();
    try {
      const up = await call(
        api.PUT('/api/v1/datasets/uploads/{id}', {
          params: { path: { id } },
          body: chunk as never,
          bodySerializer: (b: unknown) => b as BodyInit,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `bytes ${offset}-${end - 1}/${file.size}`,
          },
        }),
      );
      offset = up.received;
      retries = 0;
    } catch (e) {
      if (retries++ >= 3 || (e instanceof ApiError && e.status !== 0 && e.status !== 409 && e.status < 500)) {
        throw e;
      }
      offset = (await call(api.GET('/api/v1/datasets/uploads/{id}', { params: { path: { id } } }))).received;
    }
    onProgress(offset);
  }
}

/** The catalog names a resident ID `id_number`; the importer's detectors say `resident_id`. */
const TO_CATALOG: Record<string, string> = { resident_id: 'id_number' };
const CATALOG_PII = new Set(['name', 'id_number', 'mobile', 'address', 'bank_card', 'email', 'uscc']);

export interface DraftItem {
  name: string;
  dataType: string;
  length?: number | undefined;
  level: string;
  piiKind: string | null;
}

/**
 * Creates the draft resource the clerk shaped from the suggestions, with the same placeholders the
 * importer uses for a draft (the editor completes abstract, classification and sharing before review).
 */
export async function createDraft(
  name: string,
  providerOrgId: string,
  items: DraftItem[],
): Promise<{ id: string }> {
  return call(
    api.POST('/api/v1/catalog/resources', {
      body: {
        name,
        providerOrgId,
        classification: { category: '3', item: '99', catalog: '999' },
        abstract: `${name}（由导入数据生成的草稿，请编目员补充摘要与属性后提交审核）`,
        format: { category: 'database', type: 'postgresql' },
        items: items.map((i) => {
          const kind = i.piiKind ? (TO_CATALOG[i.piiKind] ?? i.piiKind) : null;
          const piiKind = kind && CATALOG_PII.has(kind) ? kind : null;
          return {
            name: i.name,
            dataType: i.dataType,
            ...(i.dataType === 'C' && i.length ? { length: i.length } : {}),
            level: i.level,
            piiKind,
            masking: piiKind ? 'partial' : null,
            shareType: 'conditional',
            openType: 'none',
          };
        }),
        shareType: 'conditional',
        shareCondition: '待编目员确认共享条件',
        openType: 'none',
        updateCycle: 'irregular',
      },
    }),
  );
}
