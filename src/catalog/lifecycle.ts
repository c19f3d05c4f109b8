/**
 * The resource lifecycle (pure): draft → submitted → approved → published → deprecated. Editing a
 * published resource starts a new draft revision (the published version stays readable) which goes
 * through review again; publishing is only reachable from `approved`, so nothing is published unreviewed.
 */
export type Status = 'draft' | 'submitted' | 'approved' | 'published' | 'deprecated';
export type Transition = 'edit' | 'submit' | 'approve' | 'reject' | 'publish' | 'deprecate';

const FROM: Record<Transition, readonly Status[]> = {
  edit: ['draft', 'published'],
  submit: ['draft'],
  approve: ['submitted'],
  reject: ['submitted', 'approved'],
  publish: ['approved'],
  deprecate: ['published', 'draft', 'submitted', 'approved'],
};

const TO: Record<Transition, Status> = {
  edit: 'draft',
  submit: 'submitted',
  approve: 'approved',
  reject: 'draft',
  publish: 'published',
  deprecate: 'deprecated',
};

/** The status after a transition, or undefined when it is not allowed from `from`. */
export function next(from: Status, t: Transition, opts: { everPublished: boolean }): Status | undefined {
  if (!FROM[t].includes(from)) {
    return undefined;
  }
  // Only something that was published can be deprecated (a never-published draft is just abandoned).
  if (t === 'deprecate' && !opts.everPublished) {
    return undefined;
  }
  return TO[t];
}
