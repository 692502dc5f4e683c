import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DomainBuilder, readDomainName, type DomainOptions } from './parse-domain';
import type { AlgorithmName, DomainRules, RuleSet } from './rule';
import { RulesError } from './rules-error';
import { readYamlDocuments } from './yaml-document';

/** YAML files of a rules directory: `*.yaml` and `*.yml`, hidden files skipped (editors' temp files). */
export function isRulesFile(name: string): boolean {
  return !name.startsWith('.') && /\.ya?ml$/i.test(name);
}

export interface LoadRulesOptions {
  /**
   * RATELIMIT_MERGE_DOMAIN_CONFIG (default true): files naming the same domain are merged, as
   * Envoy's MERGE_DOMAIN_CONFIG does; false refuses the second one, Envoy's default.
   */
  mergeDomains?: boolean;
  /** RATELIMIT_DEFAULT_ALGORITHM (default sliding_window): for limits that name no algorithm. */
  defaultAlgorithm?: AlgorithmName;
  now?: () => Date;
}

/**
 * Loads RATELIMIT_CONFIG: one YAML file, or a directory of them (read in name order). Throws a
 * RulesError naming the file and field when anything is wrong; nothing half-loaded escapes.
 */
export async function loadRules(path: string, options: LoadRulesOptions = {}): Promise<RuleSet> {
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
  const texts: { file: string; text: string }[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    hash.update(basename(file)).update('\0').update(text).update('\0');
    texts.push({ file, text });
  }
  const { domains, warnings } = parseFiles(texts, options);
  const now = options.now ?? (() => new Date());
  return { domains, version: hash.digest('hex').slice(0, 16), loadedAt: now(), sources: files, warnings };
}

/** Rules from the text of each file, in order, domains merged across files (unless told not to). */
export function parseFiles(
  files: readonly { file: string; text: string }[],
  options: LoadRulesOptions = {},
): { domains: Map<string, DomainRules>; warnings: string[] } {
  const domainOptions: DomainOptions = { defaultAlgorithm: options.defaultAlgorithm ?? 'sliding_window' };
  const builders = new Map<string, DomainBuilder>();
  const warnings: string[] = [];
  for (const { file, text } of files) {
    const fileWarnings: string[] = [];
    try {
      const { documents, warnings: yamlWarnings } = readYamlDocuments(text);
      fileWarnings.push(...yamlWarnings);
      // Envoy: a file with no document has no domain, which it refuses.
      if (documents.length === 0) throw new RulesError('domain: required (the file is empty)');
      for (const document of documents) {
        const { top, domain } = readDomainName(document);
        let builder = builders.get(domain);
        if (builder === undefined) {
          builders.set(domain, (builder = new DomainBuilder(domain, domainOptions)));
        } else if (options.mergeDomains === false) {
          throw new RulesError(`domain ${domain} is defined twice (RATELIMIT_MERGE_DOMAIN_CONFIG is false)`);
        }
        builder.add(top, file, fileWarnings);
      }
    } catch (error) {
      if (error instanceof RulesError) throw new RulesError(`${file}: ${error.message}`);
      throw error;
    }
    warnings.push(...fileWarnings.map((warning) => `${file}: ${warning}`));
  }
  const domains = new Map<string, DomainRules>();
  for (const [name, builder] of builders) domains.set(name, builder.build(warnings));
  return { domains, warnings };
}

/** Parses rules from the YAML text of one file (every document in it), naming `source` in errors. */
export function parseFile(source: string, text: string, options: LoadRulesOptions = {}): DomainRules[] {
  return [...parseFiles([{ file: source, text }], options).domains.values()];
}
