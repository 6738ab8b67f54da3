import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SchoolSources } from '../config/school-sources.js';

/** A folder to watch, and which of its entries a reload reads. */
export interface WatchedFolder {
  readonly directory: string;
  /** Files read by name: a roster, a staff list, the configuration file. */
  readonly names: readonly string[];
  /** A rule or vocabulary folder: every `*.yaml` or `*.yml` in it is read. */
  readonly ruleFiles: boolean;
}

/**
 * What a reload re-reads, as folders: files are watched through their folder, because an editor's save or
 * an install script's `mv` replaces the file with a new one, which a watch on the old file would never see.
 * The shipped rules change only with an upgrade (a restart), so only configured rule folders are watched.
 */
export function schoolFileFolders(sources: readonly SchoolSources[], configPath?: string): WatchedFolder[] {
  const folders = new Map<string, { names: Set<string>; ruleFiles: boolean }>();
  const folder = (directory: string) => folders.get(directory) ?? folders.set(directory, { names: new Set(), ruleFiles: false }).get(directory)!;
  const file = (path: string | undefined) => path !== undefined && folder(dirname(resolve(path))).names.add(basename(path));
  const rules = (directory: string | undefined) => {
    if (directory === undefined) return;
    folder(resolve(directory)).ruleFiles = true;
    folder(resolve(directory, 'vocabulary')).ruleFiles = true;
  };
  file(configPath);
  for (const school of sources) {
    file(school.rosterPath);
    file(school.staffPath);
    rules(school.rulesDirectory);
    rules(school.overridesDirectory);
  }
  return [...folders].map(([directory, { names, ruleFiles }]) => ({ directory, names: [...names].sort(), ruleFiles }));
}

/** Whether a change to `name` in `folder` is one a reload would read; an unnamed change might be. */
export function concernsReload(folder: WatchedFolder, name: string | null): boolean {
  if (name === null) return true;
  return folder.names.includes(name) || (folder.ruleFiles && /\.ya?ml$/i.test(name));
}

export interface SchoolFilesWatchOptions {
  /** How long the files must be left alone before `onSettled`: an export tool may write a file in several goes. */
  readonly quietMs: number;
  /** Once per burst of changes, after the quiet period. */
  readonly onSettled: () => void;
  /** A folder that cannot be watched (gone, or too many watches): SIGHUP still reloads. */
  readonly onError: (problem: { readonly code: string }) => void;
}

/**
 * Watches the files a reload reads and calls `onSettled` once they have been quiet for `quietMs`: one
 * reload for a burst of writes, never one for half a file. Folders that do not exist are skipped.
 */
export class SchoolFilesWatch {
  readonly #options: SchoolFilesWatchOptions;
  readonly #watchers = new Map<string, FSWatcher>();
  #folders = new Map<string, WatchedFolder>();
  #quiet: NodeJS.Timeout | undefined;

  constructor(options: SchoolFilesWatchOptions) {
    this.#options = options;
  }

  /** Watches these folders from now on: new ones are opened, ones no longer named are closed. */
  aim(folders: readonly WatchedFolder[]): void {
    this.#folders = new Map(folders.map((folder) => [folder.directory, folder]));
    for (const [directory, watcher] of this.#watchers) {
      if (!this.#folders.has(directory)) {
        watcher.close();
        this.#watchers.delete(directory);
      }
    }
    for (const directory of this.#folders.keys()) {
      if (!this.#watchers.has(directory)) this.#open(directory);
    }
  }

  close(): void {
    clearTimeout(this.#quiet);
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  #open(directory: string): void {
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, { persistent: false }, (_event, name) => this.#changed(directory, name));
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'watch-failed';
      if (code !== 'ENOENT') this.#options.onError({ code });
      return;
    }
    watcher.on('error', (error: NodeJS.ErrnoException) => {
      this.#options.onError({ code: error.code ?? 'watch-failed' });
      watcher.close();
      if (this.#watchers.get(directory) === watcher) this.#watchers.delete(directory);
    });
    this.#watchers.set(directory, watcher);
  }

  #changed(directory: string, name: string | Buffer | null): void {
    const folder = this.#folders.get(directory);
    if (!folder || !concernsReload(folder, name === null ? null : String(name))) return;
    clearTimeout(this.#quiet);
    this.#quiet = setTimeout(() => this.#options.onSettled(), this.#options.quietMs);
  }
}
