/**
 * Where recently integrated events sit in the log (pure): batches of consecutive sequence numbers
 * with their event ids (ascending, as the integrator sequences them), searched by binary search.
 * Bounded: the oldest batches are dropped past `max` entries; a miss means "ask the store".
 */
export class RecentLeaves {
  private readonly batches: Array<{ firstSeq: number; ids: Float64Array }> = [];
  private count = 0;

  constructor(private readonly max = 1 << 21) {}

  add(firstSeq: number, ids: readonly number[]): void {
    if (ids.length === 0) {
      return;
    }
    const last = this.batches[this.batches.length - 1];
    if (last && (last.ids[last.ids.length - 1] as number) >= (ids[0] as number)) {
      // Out of order (another process integrated in between and we are behind): start over.
      this.batches.length = 0;
      this.count = 0;
    }
    this.batches.push({ firstSeq, ids: Float64Array.from(ids) });
    this.count += ids.length;
    while (this.count > this.max && this.batches.length > 1) {
      this.count -= (this.batches.shift() as { ids: Float64Array }).ids.length;
    }
  }

  /** The sequence number of an event, if it is among the recent ones. */
  seqOf(eventId: number): number | undefined {
    const bs = this.batches;
    let lo = 0;
    let hi = bs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = bs[mid] as { firstSeq: number; ids: Float64Array };
      if (eventId < (b.ids[0] as number)) {
        hi = mid - 1;
      } else if (eventId > (b.ids[b.ids.length - 1] as number)) {
        lo = mid + 1;
      } else {
        let l = 0;
        let h = b.ids.length - 1;
        while (l <= h) {
          const m = (l + h) >> 1;
          const v = b.ids[m] as number;
          if (v === eventId) {
            return b.firstSeq + m;
          }
          if (v < eventId) {
            l = m + 1;
          } else {
            h = m - 1;
          }
        }
        return undefined;
      }
    }
    return undefined;
  }
}
