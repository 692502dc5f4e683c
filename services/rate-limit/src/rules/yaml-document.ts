import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node,
  type Scalar,
} from 'yaml';
import { RulesError } from './rules-error';

/** Fields Envoy reads as text: a plain scalar there is taken as written (`value: 0777` is "0777"). */
const textFields = new Set(['domain', 'key', 'value', 'name', 'unit', 'algorithm', 'failure_policy']);

/** The field whose value Envoy never checks (arbitrary user data). */
const freeField = 'metadata';

/** Aliases resolved per document at most: a small file cannot expand into a huge one. */
const maxAliases = 1000;

export interface YamlDocuments {
  /** Each non-empty document of the file, as plain values (objects, arrays, strings, numbers, booleans). */
  documents: unknown[];
  /** What Envoy accepts silently but is probably a mistake, naming the field. */
  warnings: string[];
}

/**
 * Reads a rules file the way envoyproxy/ratelimit (Go yaml.v2) does, so one file means the same to
 * both: YAML 1.1 scalars (`yes`/`no`/`on`/`off` are booleans, `0777` octal, `1_000` an integer),
 * merge keys, text fields taken as written, and the same refusals: map keys that are not strings,
 * floating-point values, and lists of anything but mappings (all outside `metadata`). A repeated
 * map key is accepted, the last one winning, as in Envoy, with a warning.
 */
export function readYamlDocuments(text: string): YamlDocuments {
  const parsed = parseAllDocuments(text, { version: '1.1', merge: true, uniqueKeys: false });
  if (!Array.isArray(parsed)) throw new RulesError('not a YAML document stream');
  const warnings: string[] = [];
  const documents: unknown[] = [];
  for (const document of parsed) {
    if (document.errors.length > 0) {
      throw new RulesError(`invalid YAML: ${document.errors[0]?.message ?? 'parse error'}`);
    }
    const walk: Walk = { document, aliases: 0, open: new Set(), warnings };
    const value = plain(document.contents, walk, '', '');
    if (value !== undefined) documents.push(value);
  }
  return { documents, warnings };
}

interface Walk {
  document: Document.Parsed;
  aliases: number;
  /** The collections being converted, to refuse an alias inside the very node it names. */
  open: Set<Node>;
  warnings: string[];
}

function plain(node: Node | null | undefined, walk: Walk, path: string, field: string): unknown {
  if (node === null || node === undefined) return undefined;
  if (isAlias(node)) {
    walk.aliases += 1;
    if (walk.aliases > maxAliases) throw new RulesError(`${path || '(document)'}: too many aliases`);
    const target = node.resolve(walk.document) as Node | undefined;
    if (target !== undefined && walk.open.has(target)) {
      throw new RulesError(`${path || '(document)'}: alias *${node.source} contains itself`);
    }
    return plain(target, walk, path, field);
  }
  if (field === freeField) return node.toJS(walk.document, { maxAliasCount: maxAliases });
  if (isScalar(node)) return scalar(node, path, field);
  walk.open.add(node);
  try {
    return collection(node, walk, path);
  } finally {
    walk.open.delete(node);
  }
}

function collection(node: Node, walk: Walk, path: string): unknown {
  if (isSeq(node)) {
    return node.items.map((item, index) => {
      const at = `${path}[${index}]`;
      const value = plain(item as Node, walk, at, '');
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new RulesError(`${at}: must be a mapping (rules lists hold mappings only)`);
      }
      return value;
    });
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const merged: Record<string, unknown>[] = [];
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      if (isScalar(key) && typeof key.value === 'symbol') {
        const source = plain(pair.value as Node, walk, path, '');
        for (const item of Array.isArray(source) ? source : [source]) {
          if (item !== null && typeof item === 'object') merged.push(item as Record<string, unknown>);
        }
        continue;
      }
      const name = keyName(key, path);
      const at = path === '' ? name : `${path}.${name}`;
      if (Object.hasOwn(out, name)) walk.warnings.push(`${at}: given twice, the last one is used`);
      out[name] = plain(pair.value as Node, walk, at, name);
    }
    // Keys of a merged map fill in only what the map does not set itself (first source first).
    for (const source of merged) {
      for (const [name, value] of Object.entries(source)) if (!Object.hasOwn(out, name)) out[name] = value;
    }
    return out;
  }
  return undefined;
}

function keyName(key: Node | null, path: string): string {
  if (isScalar(key) && typeof key.value === 'string') return key.value;
  const shown = isScalar(key) ? (key.source ?? String(key.value)) : 'a collection';
  throw new RulesError(`${path || '(document)'}: key ${shown} is not a string`);
}

function scalar(node: Scalar, path: string, field: string): unknown {
  const { value } = node;
  if (value === null || value === undefined) return undefined;
  const source = node.source ?? String(value);
  const plainStyle = node.type === 'PLAIN';
  // 1.1 sexagesimal (10:30) is text to Go's yaml.v2; other non-integers are floats, which Envoy refuses.
  if (typeof value === 'number' && !isIntegerSyntax(source) && node.format !== 'TIME') {
    throw new RulesError(`${path}: ${source} is a floating-point number (quote it if it is text)`);
  }
  if (node.format === 'TIME' || (textFields.has(field) && plainStyle && typeof value !== 'string')) {
    return source;
  }
  if (value instanceof Date) return source;
  return value;
}

/** YAML 1.1 integer forms: decimal, 0b binary, 0 octal, 0x hex, with `_` separators. */
function isIntegerSyntax(source: string): boolean {
  return /^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]*|[1-9][0-9_]*)$/.test(source);
}
