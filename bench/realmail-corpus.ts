/**
 * The real-mail corpus: public messages and documents nobody on this project wrote, read straight
 * out of local git mirrors of public repositories (`fetch github:OWNER/NAME` puts one at
 * `$HM_MIRROR_DIR/OWNER+NAME/repo`). Nothing of theirs is committed here: `fixtures/realmail/manifest.json`
 * names each file by repository, commit, path and SHA-256 with the repository's licence, and this
 * module rebuilds each message from the mirror. A document is wrapped in a plain message from a
 * member of staff, as a school would send it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

/** `message`: the file is one message; `mbox`: a Unix mailbox, one entry a message; `document`: a file to attach. */
export type EntryKind = 'message' | 'mbox' | 'document';

export interface CorpusSource {
  readonly repo: string;
  /** SPDX identifier of the repository's licence, read from its LICENSE file. */
  readonly licence: string;
  readonly kind: EntryKind;
  readonly include: RegExp;
  readonly exclude?: RegExp;
}

export interface CorpusEntry {
  /** `owner/name:path`, with `#n` for the n-th message of a mailbox. */
  readonly id: string;
  readonly repo: string;
  readonly commit: string;
  readonly path: string;
  readonly kind: EntryKind;
  readonly index?: number;
  readonly licence: string;
  /** Of the file in the repository (the whole mailbox for an mbox entry). */
  readonly sha256: string;
}

const TIKA_DOCUMENTS =
  /\/test-documents\/[^/]+\.(pdf|docx|doc|rtf|xlsx|xls|pptx|ppt|odt|ods|odp|txt|csv|html|zip|gz|bz2|tgz|tar|7z|rar|pub|msg|epub|mp3|mp4|m4a|ogg|wav|jpg|jpeg|png|gif|tif|tiff|bmp|webp|heic|ics|vcf|docm|xlsm|pptm)$/i;

/** Which files of which repositories make the corpus; `npm run realmail -- --manifest` lists them. */
export const CORPUS_SOURCES: readonly CorpusSource[] = [
  { repo: 'nodemailer/mailparser', licence: 'MIT', kind: 'message', include: /^test\/fixtures\/.+\.eml$/ },
  { repo: 'mikel/mail', licence: 'MIT', kind: 'message', include: /^spec\/fixtures\/emails\/.+\.(eml|txt)$|^spec\/fixtures\/emails\/[^.]+$/ },
  { repo: 'zbateson/mail-mime-parser', licence: 'BSD-2-Clause', kind: 'message', include: /^tests\/_data\/emails\/[^/]+\.(txt|eml)$/ },
  { repo: 'mailgun/flanker', licence: 'Apache-2.0', kind: 'message', include: /^tests\/fixtures\/messages\/(?!dkim\/).+\.eml$|^tests\/fixtures\/messages\/dkim\/email\.\d+$/ },
  { repo: 'apache/spamassassin', licence: 'Apache-2.0', kind: 'message', include: /^t\/data\/(nice|spam)\/.+/, exclude: /\.(pl|pm|cf|pre|db|gz|zip|png|gif|jpg)$|\/README/ },
  { repo: 'sisimai/set-of-emails', licence: 'BSD-2-Clause', kind: 'message', include: /^maildir\/(bsd|err|not)\/.+\.eml$/ },
  {
    repo: 'jstedfast/MimeKit',
    licence: 'MIT',
    kind: 'message',
    include: /^UnitTests\/TestData\/messages\/(?!body\.).+\.(txt|eml)$|^UnitTests\/TestData\/smime\/thunderbird-signed\.txt$/,
  },
  { repo: 'jstedfast/MimeKit', licence: 'MIT', kind: 'mbox', include: /^UnitTests\/TestData\/mbox\/(content-length|issue1189|simple|unmunged)\.mbox\.txt$/ },
  { repo: 'jstedfast/MimeKit', licence: 'MIT', kind: 'document', include: /^UnitTests\/TestData\/tnef\/[^/]+\.tnef$/ },
  { repo: 'chaoss/grimoirelab-perceval', licence: 'GPL-3.0-or-later', kind: 'mbox', include: /^tests\/data\/(mbox|pipermail|hyperkitty)\/[^/]+\.mbox$/ },
  { repo: 'apache/tika', licence: 'Apache-2.0', kind: 'message', include: /\/test-documents\/[^/]+\.eml$/ },
  { repo: 'apache/tika', licence: 'Apache-2.0', kind: 'mbox', include: /\/test-documents\/[^/]+\.mbox$/ },
  { repo: 'apache/tika', licence: 'Apache-2.0', kind: 'document', include: TIKA_DOCUMENTS },
];

export const DEFAULT_MIRROR_DIR = '/work/.mirror';

export function mirrorDirectory(): string {
  return process.env.HM_MIRROR_DIR ?? DEFAULT_MIRROR_DIR;
}

export function gitDir(repo: string, mirrors = mirrorDirectory()): string {
  return join(mirrors, repo.replace('/', '+'), 'repo');
}

/** Whether every repository the manifest names is mirrored here at its commit. */
export function mirrorsPresent(entries: readonly CorpusEntry[], mirrors = mirrorDirectory()): boolean {
  const commits = new Map(entries.map((entry) => [entry.repo, entry.commit]));
  return [...commits].every(([repo, commit]) => {
    const dir = gitDir(repo, mirrors);
    if (!existsSync(dir)) return false;
    try {
      execFileSync('git', ['--git-dir', dir, 'cat-file', '-e', `${commit}^{commit}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;

function git(repo: string, args: readonly string[], mirrors: string): Buffer {
  return execFileSync('git', ['--git-dir', gitDir(repo, mirrors), ...args], { maxBuffer: 64 * 1024 * 1024 });
}

/** Lists the corpus from the mirrors as they are now (each repository at its HEAD). */
export function listCorpus(mirrors = mirrorDirectory()): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  for (const source of CORPUS_SOURCES) {
    const commit = git(source.repo, ['rev-parse', 'HEAD'], mirrors).toString().trim();
    const tree = git(source.repo, ['ls-tree', '-r', '-l', '-z', commit], mirrors).toString().split('\0');
    for (const row of tree) {
      const match = /^\d+ blob ([0-9a-f]+)\s+(\d+)\t(.+)$/s.exec(row);
      if (!match) continue;
      const [, , size, path] = match as unknown as [string, string, string, string];
      if (!source.include.test(path) || source.exclude?.test(path) || Number(size) === 0 || Number(size) >= MAX_FILE_BYTES) continue;
      let content: Buffer;
      try {
        content = git(source.repo, ['cat-file', 'blob', `${commit}:${path}`], mirrors);
      } catch {
        continue; // left out of the snapshot (large files are)
      }
      const base = { repo: source.repo, commit, path, kind: source.kind, licence: source.licence, sha256: sha256(content) };
      if (source.kind === 'mbox') {
        for (const index of splitMbox(content).keys()) entries.push({ ...base, id: `${source.repo}:${path}#${index}`, index });
      } else {
        entries.push({ ...base, id: `${source.repo}:${path}` });
      }
    }
  }
  return entries;
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * RFC 4155: a message starts at a `From ` line at the start of the file or after an empty line;
 * `>From ` quoting is undone.
 */
export function splitMbox(content: Buffer): Buffer[] {
  const text = content.toString('latin1');
  const starts: number[] = [];
  const separator = /(^|\r?\n\r?\n)From [^\r\n]*\r?\n/g;
  for (let match = separator.exec(text); match; match = separator.exec(text)) starts.push(match.index + match[1]!.length);
  return starts.map((start, index) => {
    const end = starts[index + 1] ?? text.length;
    const message = text
      .slice(start, end)
      .replace(/^From [^\r\n]*\r?\n/, '')
      .replace(/^>(>*From )/gm, '$1');
    return Buffer.from(message, 'latin1');
  });
}

export class CorpusMismatchError extends Error {}

const blobCache = new Map<string, Buffer>();

/** The message an entry stands for, rebuilt from its mirror; throws when the file differs from the manifest. */
export async function loadEntry(entry: CorpusEntry, mirrors = mirrorDirectory()): Promise<Buffer> {
  const key = `${entry.repo}:${entry.commit}:${entry.path}`;
  let content = blobCache.get(key);
  if (!content) {
    content = git(entry.repo, ['cat-file', 'blob', `${entry.commit}:${entry.path}`], mirrors);
    if (sha256(content) !== entry.sha256) throw new CorpusMismatchError(`${entry.id}: the mirror's file is not the one in the manifest`);
    if (entry.kind === 'mbox') blobCache.set(key, content);
  }
  if (entry.kind === 'message') return content;
  if (entry.kind === 'mbox') {
    const message = splitMbox(content)[entry.index ?? 0];
    if (!message) throw new CorpusMismatchError(`${entry.id}: no such message in the mailbox`);
    return message;
  }
  return wrapDocument(basename(entry.path), content);
}

/** A member of staff sending a document to someone outside the school, with nothing else in it. */
export function wrapDocument(filename: string, content: Buffer): Promise<Buffer> {
  return new MailComposer({
    from: 'Office <office@school.sch.uk>',
    to: 'someone@example.org',
    subject: `Document: ${filename}`,
    text: 'Please find the document attached.\n\nKind regards\nThe school office',
    attachments: [{ filename, content }],
    messageId: '<realmail-document@school.sch.uk>',
    date: new Date('2026-12-01T09:00:00Z'),
  })
    .compile()
    .build();
}

export const MANIFEST_PATH = 'fixtures/realmail/manifest.json';
export const JUDGEMENTS_PATH = 'fixtures/realmail/judgements.json';

export async function readManifest(root: string): Promise<CorpusEntry[]> {
  return JSON.parse(await readFile(join(root, MANIFEST_PATH), 'utf8')) as CorpusEntry[];
}
