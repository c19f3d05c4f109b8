/**
 * Chinese-aware tokenization for full-text search (pure). Text is split by Intl.Segmenter into words;
 * runs of Han characters are indexed as single characters and character bigrams, so that 户籍 is found
 * inside 人口户籍信息 whatever the segmenter decides; Latin words and numbers are lower-cased words.
 * The same tokens go into a `simple` tsvector on PGlite and PostgreSQL alike.
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

/** Index tokens of a text: Han unigrams + bigrams + segmenter words, Latin/number words. */
export function indexTokens(text: string): string[] {
  const out = new Set<string>();
  for (const r of runs(text)) {
    if (!r.han) {
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
  return [...out];
}

export interface ParsedQuery {
  /** Terms that must all match; each is a list of alternatives (tsquery fragments). */
  all: string[];
  /** The same terms for the typo-tolerant fallback (any may match). */
  any: string[];
}

const quote = (t: string) => `'${t.replace(/'/g, "''")}'`;

/**
 * A search query as tsquery text: Han runs become their bigrams (a single character becomes a prefix
 * match), Latin words become prefix matches (`abc:*`), so typing part of a word already finds it.
 */
export function parseQuery(q: string): ParsedQuery {
  const terms: string[] = [];
  for (const r of runs(q)) {
    if (!r.han) {
      terms.push(`${quote(r.text)}:*`);
      continue;
    }
    const chars = [...r.text];
    if (chars.length === 1) {
      terms.push(`${quote(chars[0] as string)}`);
      continue;
    }
    for (let i = 0; i + 1 < chars.length; i++) {
      terms.push(quote(`${chars[i]}${chars[i + 1]}`));
    }
  }
  const unique = [...new Set(terms)].slice(0, 32);
  return { all: unique, any: unique };
}

export function toTsquery(terms: string[], op: '&' | '|'): string {
  return terms.join(` ${op} `);
}
