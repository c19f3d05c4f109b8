import type { Access } from '../identity/access.js';
import { type Actor, actorId, actorOrg } from '../identity/actor.js';
import type { Db, Executor } from '../platform/db/database.js';
import { type EventQuery, eventRepository } from './event.repository.js';

export interface EventInput {
  type: string;
  subjectType?: string;
  subjectId?: string;
  /** The organization the event concerns (defaults to the actor's). */
  orgId?: string | null;
  data?: Record<string, unknown>;
  requestId?: string | null;
}

export interface EventDto {
  id: number;
  occurredAt: string;
  type: string;
  actor: { kind: string; id: string | null };
  orgId: string | null;
  subject: { type: string | null; id: string | null };
  data: Record<string, unknown>;
  requestId: string | null;
}

/**
 * The event log every capability writes to, in the same transaction as the change it records.
 * Entries are append-only (a database trigger refuses updates and deletes); the ledger's Merkle
 * tree, checkpoints and receipts are built over these entries.
 */
export class LedgerService {
  constructor(private readonly deps: { db: Db; access: Access }) {}

  /** Records an event inside the caller's transaction: committed if and only if the change is. */
  async record(trx: Executor, actor: Actor, input: EventInput): Promise<number> {
    return eventRepository.insert(trx, {
      type: input.type,
      actor_kind: actor.kind,
      actor_id: actorId(actor),
      org_id: input.orgId === undefined ? actorOrg(actor) : input.orgId,
      subject_type: input.subjectType ?? null,
      subject_id: input.subjectId ?? null,
      data: input.data ?? {},
      request_id: input.requestId ?? null,
    });
  }

  async list(actor: Actor, query: Omit<EventQuery, 'limit'> & { limit?: number }): Promise<EventDto[]> {
    await this.deps.access.require(actor, 'event.read');
    const rows = await eventRepository.list(this.deps.db, {
      ...query,
      limit: Math.min(query.limit ?? 100, 1000),
    });
    return rows.map((r) => ({
      id: Number(r.id),
      occurredAt: r.occurred_at.toISOString(),
      type: r.type,
      actor: { kind: r.actor_kind, id: r.actor_id },
      orgId: r.org_id,
      subject: { type: r.subject_type, id: r.subject_id },
      data: r.data,
      requestId: r.request_id,
    }));
  }
}
