import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/package-root.js';

/*
 * src/'s folders are the stages (docs/architecture.md), and they depend on one another in one direction only:
 * no two folders import each other, directly or round a longer loop. A cycle means a piece sits in the wrong
 * folder; type-only imports count too, since they couple the folders just the same.
 */
const SRC = join(PACKAGE_ROOT, 'src');
const RELATIVE_IMPORT = /(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'|import\('(\.{1,2}\/[^']+)'\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The top folder of src/ a file is in (`actions`), or undefined for a file directly in src/. */
function folderOf(file: string): string | undefined {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

/** Folder → the folders it imports from, each with one importing file as an example. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    if (!from) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const to = folderOf(normalize(join(dirname(file), match[1] ?? match[2]!)));
      if (!to || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, relative(PACKAGE_ROOT, file));
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each written `a → b → a` with the file that makes each step. */
function cycles(graph: Map<string, Map<string, string>>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const walk = (folder: string, path: string[]) => {
    const at = path.indexOf(folder);
    if (at >= 0) {
      const loop = [...path.slice(at), folder];
      found.push(loop.map((each, index) => (index === 0 ? each : `→ ${each} (${graph.get(loop[index - 1]!)!.get(each)})`)).join(' '));
      return;
    }
    if (done.has(folder)) return;
    for (const next of graph.get(folder)?.keys() ?? []) walk(next, [...path, folder]);
    done.add(folder);
  };
  for (const folder of graph.keys()) walk(folder, []);
  return found;
}

describe("src/'s folders", () => {
  it('import one another in one direction only', () => {
    expect(cycles(folderGraph())).toEqual([]);
  });

  it('find a cycle when there is one', () => {
    const graph = new Map([
      ['queue', new Map([['actions', 'src/queue/mail-sender.ts']])],
      ['actions', new Map([['queue', 'src/actions/act-on-verdict.ts']])],
    ]);
    expect(cycles(graph)).toHaveLength(1);
  });
});
