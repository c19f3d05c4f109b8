/**
 * The search suite's query mix (pure, seeded): realistic Chinese queries built from the words of the
 * generated resources — their names, abstracts, items and providers — so that the bench measures the
 * searches people make rather than a dozen repeated URLs.
 *
 * - `vocabulary` splits the texts into words (Intl.Segmenter, Han words of 2+ characters), keeping how
 *   often each occurs: frequent words are the popular queries.
 * - `queryMix` ranks ≈`distinct` queries (one to three terms, a share with a facet filter, some prefix
 *   forms — the first characters of a longer word — and some with one character mistyped, which the
 *   search answers through its typo-tolerant fallback) and draws `length` requests from them with a
 *   Zipf law (rank r drawn ∝ 1/r^s), so popular searches repeat as real traffic does.
 * - `distinctQueries` gives searches that are all different (query text, filters or sort), for the
 *   uncached measurement: none of them can be answered from the result cache.
 */
import { rng } from '../src/demo/demo-datasets.js';

export interface QueryWords {
  /** Words by descending frequency. */
  words: string[];
  /** Words that appear in resource names (people search names first). */
  nameWords: string[];
  /** Words of each resource template (pairs of them co-occur, so multi-term queries find something). */
  groups: string[][];
}

export interface FacetChoice {
  key: string;
  values: string[];
}

const HAN_WORD = /^\p{Script=Han}{2,}$/u;
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
/** Common Han characters a typist might hit instead of the right one. */
const TYPO_CHARS = [
  ...'的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞',
];

/** Words of the given texts with their frequency; `names` are the resource names. */
export function vocabulary(templates: Array<{ name: string; texts: string[] }>): QueryWords {
  const freq = new Map<string, number>();
  const inName = new Set<string>();
  const groups: string[][] = [];
  const words = (text: string) =>
    [...segmenter.segment(text.normalize('NFKC'))]
      .filter((s) => s.isWordLike && HAN_WORD.test(s.segment))
      .map((s) => s.segment);
  for (const t of templates) {
    const group = new Set<string>();
    for (const w of words(t.name)) {
      inName.add(w);
      group.add(w);
    }
    for (const text of t.texts) {
      for (const w of words(text)) {
        group.add(w);
      }
    }
    for (const w of group) {
      freq.set(w, (freq.get(w) ?? 0) + 1);
    }
    groups.push([...group]);
  }
  const sorted = [...freq].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w]) => w);
  return { words: sorted, nameWords: sorted.filter((w) => inName.has(w)), groups };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

function searchPath(q: string, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams({ q, ...extra });
  return `/api/v1/catalog/search?${p.toString()}`;
}

/** One query of the mix (text and filters), drawn at random. */
function oneQuery(r: () => number, v: QueryWords, places: string[], facets: FacetChoice[]): string {
  const kind = r();
  let q: string;
  if (kind < 0.35) {
    // one word, names' words first
    q = pick(r, r() < 0.7 ? v.nameWords : v.words);
  } else if (kind < 0.6) {
    // two words of the same resource
    const g = pick(r, v.groups);
    q = `${pick(r, g)} ${pick(r, g)}`;
  } else if (kind < 0.72) {
    // a district and a word
    q = `${pick(r, places)} ${pick(r, v.nameWords)}`;
  } else if (kind < 0.8) {
    // three words of the same resource
    const g = pick(r, v.groups);
    q = `${pick(r, g)} ${pick(r, g)} ${pick(r, g)}`;
  } else if (kind < 0.9) {
    // prefix: the first characters of a longer word, as typed so far
    const long = v.words.filter((w) => [...w].length >= 3);
    const w = [...pick(r, long.length > 0 ? long : v.words)];
    q = w.slice(0, Math.max(2, w.length - 1 - Math.floor(r() * (w.length - 2)))).join('');
  } else {
    // one character mistyped
    const w = [
      ...pick(
        r,
        v.nameWords.filter((x) => [...x].length >= 3),
      ),
    ];
    w[Math.floor(r() * w.length)] = pick(r, TYPO_CHARS);
    q = w.join('');
  }
  const extra: Record<string, string> = {};
  if (r() < 0.2 && facets.length > 0) {
    const f = pick(r, facets);
    extra[f.key] = pick(r, f.values);
  }
  if (r() < 0.08) {
    extra.sort = pick(r, ['updated', 'name']);
  }
  return searchPath(q, extra);
}

/**
 * `distinct` different searches in popularity order, and `length` requests drawn from them by Zipf
 * (exponent `s`); one in ten requests asks for page 2 or 3 of its search.
 */
export function queryMix(
  v: QueryWords,
  places: string[],
  facets: FacetChoice[],
  opts: { distinct: number; length: number; s?: number; seed?: number },
): { distinct: string[]; requests: string[] } {
  const r = rng(opts.seed ?? 1);
  const seen = new Set<string>();
  const ranked: string[] = [];
  for (let tries = 0; ranked.length < opts.distinct && tries < opts.distinct * 50; tries++) {
    const p = oneQuery(r, v, places, facets);
    if (!seen.has(p)) {
      seen.add(p);
      ranked.push(p);
    }
  }
  const s = opts.s ?? 1;
  const cdf: number[] = [];
  let sum = 0;
  for (let i = 0; i < ranked.length; i++) {
    sum += 1 / (i + 1) ** s;
    cdf.push(sum);
  }
  const requests: string[] = [];
  for (let i = 0; i < opts.length; i++) {
    const x = r() * sum;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    const path = ranked[lo] as string;
    requests.push(r() < 0.1 ? `${path}&page=${2 + Math.floor(r() * 2)}` : path);
  }
  return { distinct: ranked, requests };
}

/** `n` searches that all differ (for the uncached measurement), in random order, disjoint from `exclude`. */
export function distinctQueries(
  v: QueryWords,
  places: string[],
  facets: FacetChoice[],
  n: number,
  exclude: Iterable<string>,
  seed = 2,
): string[] {
  const r = rng(seed);
  const seen = new Set<string>(exclude);
  const out: string[] = [];
  for (let tries = 0; out.length < n && tries < n * 50; tries++) {
    const p = oneQuery(r, v, places, facets);
    if (!seen.has(p)) {
      seen.add(p);
      out.push(p);
    }
  }
  return out;
}
