/**
 * Chinese-aware tokenization for full-text search (pure). Runs of Han characters are indexed as single
 * characters and character bigrams (plus the segmenter's longer words), so that 户籍 is found inside
 * 人口户籍信息 whatever the segmenter decides; Latin words and numbers are lower-cased and indexed with
 * every prefix, so that typing the start of a word or code already finds it. The tokens go into the
 * catalog's inverted index (`catalog_search.tokens`, a GIN-indexed text array) on PGlite and PostgreSQL
 * alike; a query is the list of tokens a resource must all carry.
 */
const HAN = /\p{Script=Han}/u;
const WORD = /[\p{L}\p{N}]+/gu;
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

function runs(text: string): Array<{ han: boolean; text: string }> {
  const out: Array<{ han: boolean; text: string }> = [];
  for (const m of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    let cur = '';
    let curHan = false;
    for (const ch of m[0]) {
      const h = HAN.test(ch);
      if (cur && h !== curHan) {
        out.push({ han: curHan, text: cur });
        cur = '';
      }
      cur += ch;
      curHan = h;
    }
    if (cur) {
      out.push({ han: curHan, text: cur });
    }
  }
  return out;
}

/** Latin words and numbers are indexed with their prefixes up to this many characters (and whole). */
const MAX_PREFIX = 24;

/** Index tokens of a text: Han unigrams + bigrams + segmenter words, Latin/number words and prefixes. */
export function indexTokens(text: string): string[] {
  const out = new Set<string>();
  addIndexTokens(text, out);
  return [...out];
}

/** Adds the index tokens of a text to `out`. */
export function addIndexTokens(text: string, out: Set<string>): void {
  for (const r of runs(text)) {
    if (!r.han) {
      const cs = [...r.text];
      for (let i = 1; i <= Math.min(cs.length, MAX_PREFIX); i++) {
        out.add(cs.slice(0, i).join(''));
      }
      out.add(r.text);
      continue;
    }
    const chars = [...r.text];
    for (let i = 0; i < chars.length; i++) {
      out.add(chars[i] as string);
      if (i + 1 < chars.length) {
        out.add(`${chars[i]}${chars[i + 1]}`);
      }
    }
    if (chars.length > 2) {
      for (const s of segmenter.segment(r.text)) {
        if (s.isWordLike && [...s.segment].length > 2) {
          out.add(s.segment);
        }
      }
    }
  }
}

export interface ParsedQuery {
  /** Index tokens a resource must all carry (the typo-tolerant fallback asks for any of them). */
  terms: string[];
  /** The query's words as typed (normalised), for ranking: resources whose name holds more come first. */
  words: string[];
}

/**
 * A search query as index tokens: Han runs become their bigrams (a single character stays itself),
 * Latin words and numbers stay whole — they match as prefixes, since the index holds every prefix.
 */
export function parseQuery(q: string): ParsedQuery {
  const terms: string[] = [];
  for (const r of runs(q)) {
    const chars = [...r.text];
    if (!r.han) {
      terms.push(chars.slice(0, MAX_PREFIX).join(''));
      continue;
    }
    if (chars.length === 1) {
      terms.push(chars[0] as string);
      continue;
    }
    for (let i = 0; i + 1 < chars.length; i++) {
      terms.push(`${chars[i]}${chars[i + 1]}`);
    }
  }
  const words = q
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  return { terms: [...new Set(terms)].slice(0, 32), words: [...new Set(words)].slice(0, 8) };
}
