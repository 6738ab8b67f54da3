import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispositionOf, errorCode, exitStatusFor, httpStatusFor, smtpReplyFor } from '../../src/errors/hallmonitor-error.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { RosterError } from '../../src/roster/roster-error.js';
import { StoreError } from '../../src/store/errors.js';
import { ScanPoolError } from '../../src/scan/scan-pool.js';
import { WebError } from '../../src/web/web-error.js';
import { SmtpRefusal } from '../../src/smtp/smtp-replies.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('one error family', () => {
  it('holds every error class the gateway defines', () => {
    const outside = sourceFiles(join(PACKAGE_ROOT, 'src'))
      .filter((file) => !file.endsWith('hallmonitor-error.ts'))
      .filter((file) => /class \w+ extends (Error|TypeError|RangeError)\b/.test(readFileSync(file, 'utf8')));
    expect(outside).toEqual([]);
  });

  it('answers each edge by disposition: SMTP, HTTP, the CLI and the log', () => {
    const temporary = new ScanPoolError('scan-timeout', 'the scan took too long');
    const configuration = new RosterError('no forename column', { file: 'pupils.csv' });
    const permanent = new UsageError('unknown option --frob');
    expect([temporary, configuration, permanent].map(dispositionOf)).toEqual(['temporary', 'configuration', 'permanent']);
    expect(smtpReplyFor(temporary).code).toBe(451);
    expect(smtpReplyFor(configuration).code).toBe(451);
    expect(smtpReplyFor(permanent).code).toBe(554);
    expect([temporary, configuration, permanent].map(httpStatusFor)).toEqual([503, 500, 400]);
    expect([temporary, configuration, permanent].map(exitStatusFor)).toEqual([75, 2, 2]);
    expect([temporary, configuration, permanent].map(errorCode)).toEqual(['scan-timeout', 'roster-invalid', 'usage']);
  });

  it('keeps an error its own exact status and reads errors from outside the family as temporary', () => {
    expect(httpStatusFor(new WebError('forbidden', 'not for this role'))).toBe(403);
    expect(new SmtpRefusal('too-many-connections-from-ip').disposition).toBe('temporary');
    expect(new SmtpRefusal('client-not-allowed').disposition).toBe('permanent');
    expect(new StoreError('not-found', 'no such record').disposition).toBe('permanent');
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(dispositionOf(reset)).toBe('temporary');
    expect(errorCode(reset)).toBe('ECONNRESET');
    expect(errorCode(new TypeError('x is undefined'))).toBe('TypeError');
    expect(exitStatusFor(new TypeError('x is undefined'))).toBe(1);
  });
});
