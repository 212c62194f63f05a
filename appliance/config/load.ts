import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { commonConfig, GAMES, tableConfig, type TableConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates a table's YAML. Every problem is reported at once, each with its key. */
export function loadConfig(file: string): TableConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file = '<config>'): TableConfig {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`));
  }
  const raw: unknown = doc.toJS() ?? {};
  const game = (raw as { game?: unknown }).game;
  if (!(GAMES as readonly unknown[]).includes(game)) {
    // Without a game there is no schema for the rest: report the game, then what every table needs.
    const rest = commonConfig.safeParse(raw);
    const problems = [`game: ${game === undefined ? 'missing (required)' : `${JSON.stringify(game)} is not one of ${GAMES.join(', ')}`}`];
    if (!rest.success) problems.push(...rest.error.issues.map((issue) => describeIssue(issue, raw)));
    throw new ConfigError(file, problems);
  }
  const result = tableConfig.safeParse(raw);
  if (!result.success) throw new ConfigError(file, result.error.issues.map((issue) => describeIssue(issue, raw)));
  // Both would name the reader: a table reads one deck with one model.
  if (result.data.game !== 'roulette' && result.data.cards.model !== undefined && result.data.cards.deck !== undefined) {
    throw new ConfigError(file, ['cards: give model (a model description) or deck (an enrolled deck), not both']);
  }
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const at = keyPath(issue.path, raw);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${at ? `${at}.` : ''}${k}: unknown key`).join('\n  ');
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${at}: missing (required)`;
  return `${at || '(top level)'}: ${issue.message}`;
}

/**
 * The dotted key of a problem. List items that have a name are shown by it, so a technician
 * reads `cameras[overhead].source.format` rather than `cameras.1.source.format`.
 */
function keyPath(path: readonly PropertyKey[], raw: unknown): string {
  let node: unknown = raw;
  let out = '';
  for (const key of path) {
    const child = typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    const name = typeof key === 'number' && typeof child === 'object' && child !== null ? (child as { name?: unknown }).name : undefined;
    if (typeof key === 'number') out += typeof name === 'string' && name ? `[${name}]` : `.${key}`;
    else out += `${out ? '.' : ''}${String(key)}`;
    node = child;
  }
  return out;
}

/**
 * Reads a secret from a file, trimming one trailing newline. A relative path resolves in
 * $CREDENTIALS_DIRECTORY (systemd's LoadCredential=) when set, else beside the config file.
 */
export function readSecret(path: string, configFile: string): string {
  const base = process.env.CREDENTIALS_DIRECTORY ?? dirname(configFile);
  const full = isAbsolute(path) ? path : resolve(base, path);
  try {
    return readFileSync(full, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(configFile, [`cannot read secret file ${full}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`]);
  }
}
