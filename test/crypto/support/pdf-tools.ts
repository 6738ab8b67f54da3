import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one of qpdf's or poppler's tools: real readers of the file, none of them ours. */
export function runTool(command: string, args: readonly string[]): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(command, [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `pdfdetach -saveall` into `folder`: every embedded file by name, as poppler extracts it. */
export async function detachAll(pdf: string, password: string, folder: string): Promise<Map<string, Buffer>> {
  await mkdir(folder, { recursive: true });
  const result = await runTool('pdfdetach', ['-upw', password, '-saveall', '-o', folder, pdf]);
  if (result.code !== 0) throw new Error(`pdfdetach failed: ${result.stderr}`);
  const files = new Map<string, Buffer>();
  for (const name of await readdir(folder)) files.set(name, await readFile(join(folder, name)));
  return files;
}
