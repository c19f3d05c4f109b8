/**
 * Where recently integrated events sit in the log (pure): one segment per integrated batch (its
 * sequence numbers are consecutive; its event ids are not ordered, since the log follows commit order),
 * kept as ids sorted with their sequence numbers beside them and searched newest segment first.
 * Bounded: the oldest segments are dropped past `max` entries; a miss means "ask the store".
 */
interface Segment {
  min: number;
  max: number;
  ids: Float64Array;
  seqs: Float64Array;
}

export class RecentLeaves {
  private readonly segments: Segment[] = [];
  private count = 0;

  constructor(private readonly max = 1 << 21) {}

  /** Records that ids[i] was sequenced at firstSeq + i. */
  add(firstSeq: number, ids: readonly number[]): void {
    if (ids.length === 0) {
      return;
    }
    const order = ids.map((_, i) => i).sort((a, b) => (ids[a] as number) - (ids[b] as number));
    const seg: Segment = {
      min: ids[order[0] as number] as number,
      max: ids[order[order.length - 1] as number] as number,
      ids: Float64Array.from(order, (i) => ids[i] as number),
      seqs: Float64Array.from(order, (i) => firstSeq + i),
    };
    this.segments.push(seg);
    this.count += ids.length;
    while (this.count > this.max && this.segments.length > 1) {
      this.count -= (this.segments.shift() as Segment).ids.length;
    }
  }

  /** The sequence number of an event, if it is among the recent ones. */
  seqOf(eventId: number): number | undefined {
    for (let s = this.segments.length - 1; s >= 0; s--) {
      const seg = this.segments[s] as Segment;
      if (eventId < seg.min || eventId > seg.max) {
        continue;
      }
      let lo = 0;
      let hi = seg.ids.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const v = seg.ids[mid] as number;
        if (v === eventId) {
          return seg.seqs[mid];
        }
        if (v < eventId) {
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
    }
    return undefined;
  }
}
