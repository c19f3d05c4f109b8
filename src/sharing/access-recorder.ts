/**
 * Group commit of the governed data API's access records. Each call of the pipeline hands over its access
 * event (and, for grants with a quota, its meter increment) and waits for it to be durable before its
 * response leaves; concurrent calls share one transaction: one ledger lock, one status read of the grants
 * involved, one insert per acting caller, one meter upsert per grant and period. A single call on an idle
 * server is written at once (no timer, no added latency).
 *
 * The status read inside the transaction is the last gate: a call whose grant was revoked, suspended or
 * expired after its decision (by this process or any other sharing the database) is recorded as
 * `data.access_refused` instead and its response is refused, so no data leaves under a dead grant.
 * What answered calls served is counted for the datasets advisor (DatasetService.recordAccess), per dataset
 * and consumer, summed in memory and written at most once a second (a crash loses at most that second of
 * statistics, never a ledger event).
 */
import type { DatasetService } from '../datasets/dataset.service.js';
import { type Actor, actorId, actorOrg } from '../identity/actor.js';
import type { EventInput, LedgerService } from '../ledger/ledger.service.js';
import type { Executor } from '../platform/db/database.js';
import { effectiveGrantStatus, type GrantStatus } from './grant-lifecycle.js';
import { sharingRepository as repo } from './sharing.repository.js';

export interface AccessRecord {
  actor: Actor;
  grantId: string;
  /** The accessed event; replaced by a refusal event if the gate refuses. */
  event: EventInput;
  /** Re-check the grant's status at commit (page / verify); streams check per chunk instead. */
  gate: boolean;
  meter: { periodKey: string; rows: number } | null;
  served: { datasetId: string; rows: number; bytes: number } | null;
}

export type AccessOutcome = { ok: true; eventId: number } | { ok: false; code: string; eventId: number };

interface Pending extends AccessRecord {
  resolve(o: AccessOutcome): void;
  reject(e: unknown): void;
}

/**
 * Transactions writing batches at once. One keeps batches large under load (every call then waits for the
 * batch ahead of its own); more overlap those waits but write smaller batches. On the shared 2-core bench
 * machine one in flight served ≈1.5–2.5× the calls per second of three (CPU-starved, statements cost most).
 */
const MAX_IN_FLIGHT = 1;
/** How often the advisor's read counts are written. */
const COUNT_EVERY_MS = 1000;

export class AccessRecorder {
  private queue: Pending[] = [];
  private readonly counts = new Map<
    string,
    { datasetId: string; consumer: string; rows: number; bytes: number; reads: number }
  >();
  private countedAt = 0;
  /** Batches being written now (at most MAX_IN_FLIGHT), each a drain loop. */
  private readonly drains = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      db: Executor;
      ledger: LedgerService;
      datasets: DatasetService;
      now: () => Date;
    },
  ) {}

  record(r: AccessRecord): Promise<AccessOutcome> {
    return new Promise<AccessOutcome>((resolve, reject) => {
      this.queue.push({ ...r, resolve, reject });
      if (this.drains.size < MAX_IN_FLIGHT) {
        const d: Promise<void> = this.drain().finally(() => this.drains.delete(d));
        this.drains.add(d);
      }
    });
  }

  /** Resolves once every record handed over so far is written and counted (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.drains.size > 0) {
      await Promise.all([...this.drains]);
    }
    await this.flushCounts();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const outcomes = await this.write(batch);
        batch.forEach((p, i) => p.resolve(outcomes[i]!));
        this.tally(batch.filter((_, i) => outcomes[i]!.ok));
      } catch (e) {
        batch.forEach((p) => p.reject(e));
      }
      if (Date.now() - this.countedAt >= COUNT_EVERY_MS) {
        await this.flushCounts();
      }
    }
  }

  private write(batch: Pending[]): Promise<AccessOutcome[]> {
    return this.deps.db.transaction().execute(async (trx) => {
      const gated = [...new Set(batch.filter((p) => p.gate).map((p) => p.grantId))];
      const refused = new Map<string, string>();
      if (gated.length > 0) {
        const now = this.deps.now();
        const statuses = new Map((await repo.grantStatuses(trx, gated)).map((s) => [s.id, s]));
        for (const id of gated) {
          const s = statuses.get(id);
          const status = s
            ? effectiveGrantStatus(
                { status: s.status as GrantStatus, validFrom: new Date(0), validTo: new Date(s.valid_to) },
                now,
              )
            : 'revoked';
          if (status !== 'active') {
            refused.set(id, `GRANT_${status.toUpperCase()}`);
          }
        }
      }
      const events: EventInput[] = batch.map((p) => {
        const code = p.gate ? refused.get(p.grantId) : undefined;
        if (!code) {
          return p.event;
        }
        const d = p.event.data ?? {};
        return {
          type: 'data.access_refused',
          subjectType: 'grant',
          subjectId: p.grantId,
          data: { grantId: p.grantId, resourceId: d['resourceId'], mode: d['mode'], code },
        };
      });
      // Meter what was served (refused calls are not metered), summed per grant and period.
      const meters = new Map<string, { grantId: string; periodKey: string; calls: number; rows: number }>();
      batch.forEach((p) => {
        if (p.meter && !(p.gate && refused.has(p.grantId))) {
          const k = `${p.grantId}\u0000${p.meter.periodKey}`;
          const m = meters.get(k) ?? { grantId: p.grantId, periodKey: p.meter.periodKey, calls: 0, rows: 0 };
          m.calls += 1;
          m.rows += p.meter.rows;
          meters.set(k, m);
        }
      });
      for (const m of meters.values()) {
        await repo.meter(trx, m.grantId, m.periodKey, m.rows, m.calls);
      }
      // One insert per acting caller (the ledger stamps one actor per statement), ids in batch order.
      const ids = new Array<number>(batch.length);
      const byActor = new Map<string, number[]>();
      batch.forEach((p, i) => {
        const k = `${p.actor.kind}\u0000${actorId(p.actor) ?? ''}\u0000${actorOrg(p.actor) ?? ''}`;
        byActor.set(k, [...(byActor.get(k) ?? []), i]);
      });
      for (const idx of byActor.values()) {
        const got = await this.deps.ledger.recordMany(
          trx,
          batch[idx[0]!]!.actor,
          idx.map((i) => events[i]!),
        );
        idx.forEach((i, n) => (ids[i] = got[n]!));
      }
      return batch.map((p, i): AccessOutcome => {
        const code = p.gate ? refused.get(p.grantId) : undefined;
        return code ? { ok: false, code, eventId: ids[i]! } : { ok: true, eventId: ids[i]! };
      });
    });
  }

  /** Adds what answered calls served to the advisor's pending counts. */
  private tally(served: Pending[]): void {
    for (const p of served) {
      if (!p.served) {
        continue;
      }
      const consumer = actorId(p.actor) ?? 'system';
      const k = `${p.served.datasetId}\u0000${consumer}`;
      const c = this.counts.get(k) ?? {
        datasetId: p.served.datasetId,
        consumer,
        rows: 0,
        bytes: 0,
        reads: 0,
      };
      c.rows += p.served.rows;
      c.bytes += p.served.bytes;
      c.reads += 1;
      this.counts.set(k, c);
    }
  }

  /**
   * The datasets advisor's evidence (DatasetService.recordAccess): reads, rows and bytes per dataset and
   * consumer, written at most once a second (and by `idle()`), so it costs no statement per call.
   */
  private async flushCounts(): Promise<void> {
    this.countedAt = Date.now();
    const counts = [...this.counts.values()];
    this.counts.clear();
    for (const c of counts) {
      try {
        await this.deps.datasets.recordAccess(c.datasetId, c.consumer, c);
      } catch {
        // Statistics, not the record (the ledger events are): a failed count must not fail calls that were
        // already committed and answered.
      }
    }
  }
}
