import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { AppError, ValidationError } from '../errors.js';

/**
 * Backup and restore of the embedded store: PGlite's own data-directory dump (a gzipped tar of the
 * Postgres cluster), so a restore is the same cluster byte for byte at the SQL level.
 */
export async function backupEmbedded(pglite: PGlite, file: string): Promise<number> {
  await pglite.query('checkpoint');
  const blob = await pglite.dumpDataDir('gzip');
  const bytes = Buffer.from(await blob.arrayBuffer());
  const tmp = `${file}.partial`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, file);
  return bytes.length;
}

export async function restoreEmbedded(file: string, dataDir: string, force: boolean): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch {
    throw new ValidationError('FILE_NOT_FOUND', 'error.fileNotFound', { params: { file } });
  }
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new ValidationError('BACKUP_INVALID', 'error.backupFileInvalid', { params: { file } });
  }
  const existing = await fs.readdir(dataDir).catch(() => [] as string[]);
  if (existing.some((f) => f !== '.govhub.lock') && !force) {
    throw new AppError(409, 'RESTORE_TARGET_NOT_EMPTY', 'error.restoreTargetNotEmpty', {
      params: { dir: dataDir },
    });
  }
  // Restore beside the target first, then swap, so a failed restore leaves the old store intact.
  const staging = `${dataDir}.restoring`;
  await fs.rm(staging, { recursive: true, force: true });
  try {
    const pglite = await PGlite.create(staging, { loadDataDir: new Blob([bytes]) });
    await pglite.query('select 1');
    await pglite.close();
  } catch (cause) {
    await fs.rm(staging, { recursive: true, force: true });
    throw new ValidationError('BACKUP_INVALID', 'error.backupFileInvalid', { params: { file }, cause });
  }
  const old = `${dataDir}.old-${Date.now()}`;
  const hadOld = existing.length > 0;
  if (hadOld) {
    await fs.rename(dataDir, old);
  } else {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  await fs.rename(staging, dataDir);
  if (hadOld) {
    await fs.rm(old, { recursive: true, force: true });
  }
}
