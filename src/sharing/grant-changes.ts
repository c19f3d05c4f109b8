/**
 * In-process notice that a grant changed (suspended, resumed, revoked, renewed): the sharing service
 * announces it after its transaction commits; the data pipeline drops what it cached about the grant, so
 * the next call in this process decides on the new state at once. Other processes sharing the database
 * learn it from the status read that gates every response (see access-recorder.ts) and per stream chunk.
 */
export class GrantChanges {
  private readonly listeners = new Set<(grantId: string) => void>();

  on(fn: (grantId: string) => void): void {
    this.listeners.add(fn);
  }

  changed(grantId: string): void {
    for (const fn of this.listeners) {
      fn(grantId);
    }
  }
}
