/** Shared shapes of the pure state machines (share request, grant, objection). */

/** An event the service records on the ledger for a transition (type + data; actor and subject added there). */
export interface MachineEvent<T extends string = string> {
  type: T;
  data: Record<string, unknown>;
}

export interface TransitionError<C extends string = string> {
  code: C;
  /** i18n key (`sharing.error.<code>`), rendered at the edge. */
  messageKey: string;
  details: Record<string, unknown>;
}

export type TransitionResult<S, E extends string, C extends string> =
  { ok: true; state: S; events: Array<MachineEvent<E>> } | { ok: false; error: TransitionError<C> };

export function fail<C extends string>(
  code: C,
  details: Record<string, unknown> = {},
): { ok: false; error: TransitionError<C> } {
  return { ok: false, error: { code, messageKey: `sharing.error.${code}`, details } };
}

/** A non-empty trimmed reason, or undefined. */
export function reasonOf(r: string | undefined | null): string | undefined {
  const t = r?.trim();
  return t ? t : undefined;
}
