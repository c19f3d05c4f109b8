import type { ResourceDto } from '../contracts/catalog.js';
import { CATEGORIES, CATEGORY_ITEMS, FORMAT_CATEGORIES, label, UPDATE_CYCLES } from './code-lists.js';

/** DCAT-AP 3.0.1 JSON-LD for catalog resources (pure). Only open resources belong in public DCAT. */
export const DCAT_CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  dcatap: 'http://data.europa.eu/r5r/',
  adms: 'http://www.w3.org/ns/adms#',
  foaf: 'http://xmlns.com/foaf/0.1/',
  owl: 'http://www.w3.org/2002/07/owl#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  govhub: 'https://govhub.example/ns#',
};

/** EU update-frequency authority table for the 更新周期 code list. */
const FREQUENCY: Record<string, string> = {
  realtime: 'UPDATE_CONT',
  daily: 'DAILY',
  weekly: 'WEEKLY',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  halfyearly: 'ANNUAL_2',
  yearly: 'ANNUAL',
  irregular: 'IRREG',
};

const MEDIA: Record<string, string> = {
  xlsx: 'XLSX',
  xls: 'XLS',
  csv: 'CSV',
  json: 'JSON',
  xml: 'XML',
  pdf: 'PDF',
  ofd: 'OFD',
  rdf: 'RDF_XML',
  jpg: 'JPEG',
  png: 'PNG',
};

export function datasetJsonLd(r: ResourceDto, baseUrl: string): Record<string, unknown> {
  const uri = `${baseUrl}/catalog/resources/${encodeURIComponent(r.code)}`;
  const themeItem =
    r.classification.category === '1' || r.classification.category === '2'
      ? CATEGORY_ITEMS[r.classification.category].find((x) => x.value === r.classification.item)
      : undefined;
  const publisher = {
    '@type': 'foaf:Agent',
    'foaf:name': r.providerName,
    'dct:identifier': r.providerCode,
  };
  const distribution: Record<string, unknown> = {
    '@id': `${uri}#distribution`,
    '@type': 'dcat:Distribution',
    'dcat:accessURL': { '@id': `${baseUrl}/api/v1/catalog/resources/${encodeURIComponent(r.code)}` },
    'dct:title': `${r.name}（${label(FORMAT_CATEGORIES, r.format.category)}）`,
    'dct:format': MEDIA[r.format.type]
      ? { '@id': `http://publications.europa.eu/resource/authority/file-type/${MEDIA[r.format.type]}` }
      : r.format.type,
    'dct:rights': r.openCondition ?? undefined,
  };
  return {
    '@id': uri,
    '@type': r.format.category === 'api' ? ['dcat:Dataset'] : 'dcat:Dataset',
    'dct:identifier': r.code,
    'dct:title': { '@language': 'zh', '@value': r.name },
    'dct:description': { '@language': 'zh', '@value': r.abstract },
    'dct:publisher': publisher,
    'dcat:contactPoint': {
      '@type': 'http://www.w3.org/2006/vcard/ns#Organization',
      'http://www.w3.org/2006/vcard/ns#fn': r.providerName,
    },
    'dct:issued': r.publishDate ? { '@type': 'xsd:date', '@value': r.publishDate } : undefined,
    'dct:modified': { '@type': 'xsd:dateTime', '@value': r.updatedAt },
    'owl:versionInfo': String(r.version),
    'dct:accrualPeriodicity': {
      '@id': `http://publications.europa.eu/resource/authority/frequency/${FREQUENCY[r.updateCycle] ?? 'UNKNOWN'}`,
    },
    'dcat:theme': [
      {
        '@type': 'skos:Concept',
        'skos:notation': `${r.classification.category}${r.classification.item}`,
        'skos:prefLabel': [label(CATEGORIES, r.classification.category), themeItem?.zh]
          .filter(Boolean)
          .join(' / '),
      },
    ],
    'dcat:keyword': r.items.slice(0, 20).map((i) => i.name),
    'dct:relation': r.relatedCodes.map((c) => ({
      '@id': `${baseUrl}/catalog/resources/${encodeURIComponent(c)}`,
    })),
    'adms:status': r.status === 'deprecated' ? 'deprecated' : 'completed',
    'govhub:updateCycle': label(UPDATE_CYCLES, r.updateCycle),
    'govhub:openType': r.openType,
    'dcat:distribution': [distribution],
  };
}

export function catalogJsonLd(
  resources: ResourceDto[],
  opts: { baseUrl: string; title: string; description: string; publisher: string },
): Record<string, unknown> {
  return {
    '@context': DCAT_CONTEXT,
    '@id': `${opts.baseUrl}/catalog`,
    '@type': 'dcat:Catalog',
    'dct:title': { '@language': 'zh', '@value': opts.title },
    'dct:description': { '@language': 'zh', '@value': opts.description },
    'dct:publisher': { '@type': 'foaf:Agent', 'foaf:name': opts.publisher },
    'dct:language': { '@id': 'http://publications.europa.eu/resource/authority/language/ZHO' },
    'dcat:dataset': resources.map((r) => datasetJsonLd(r, opts.baseUrl)),
  };
}

/** One resource as a standalone JSON-LD document. */
export function resourceJsonLd(r: ResourceDto, baseUrl: string): Record<string, unknown> {
  return { '@context': DCAT_CONTEXT, ...datasetJsonLd(r, baseUrl) };
}
