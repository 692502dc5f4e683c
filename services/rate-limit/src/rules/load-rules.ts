import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseDomain } from './parse-domain';
import type { DomainRules, RuleSet } from './rule';
import { RulesError } from './rules-error';

/** YAML files of a rules directory: `*.yaml` and `*.yml`, hidden files skipped (editors' temp files). */
export function isRulesFile(name: string): boolean {
  return !name.startsWith('.') && /\.ya?ml$/i.test(name);
}

/**
 * Loads RATELIMIT_CONFIG: one YAML file, or a directory of them (one domain per file, like Envoy).
 * Throws a RulesError naming the file and field when anything is wrong; nothing half-loaded escapes.
 */
export async function loadRules(path: string, now: () => Date = () => new Date()): Promise<RuleSet> {
  let files: string[];
  try {
    const info = await stat(path);
    files = info.isDirectory()
      ? (await readdir(path))
          .filter(isRulesFile)
          .sort()
          .map((name) => join(path, name))
      : [path];
  } catch (error) {
    throw new RulesError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const hash = createHash('sha256');
  const domains = new Map<string, DomainRules>();
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    hash.update(basename(file)).update('\0').update(text).update('\0');
    for (const domain of parseFile(file, text)) {
      if (domains.has(domain.domain))
        throw new RulesError(`${file}: domain ${domain.domain} is defined twice`);
      domains.set(domain.domain, domain);
    }
  }
  return { domains, version: hash.digest('hex').slice(0, 16), loadedAt: now(), sources: files };
}

/** Parses rules from YAML text (every document in it), naming `source` in errors. */
export function parseFile(source: string, text: string): DomainRules[] {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) throw new RulesError(`${source}: not a YAML document stream`);
  const result: DomainRules[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      throw new RulesError(`${source}: invalid YAML: ${document.errors[0]?.message ?? 'parse error'}`);
    }
    const value: unknown = document.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue;
    try {
      result.push(parseDomain(value));
    } catch (error) {
      if (error instanceof RulesError) throw new RulesError(`${source}: ${error.message}`);
      throw error;
    }
  }
  return result;
}
