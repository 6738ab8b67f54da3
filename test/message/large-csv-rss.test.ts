import { describe, expect, it } from 'vitest';
import { readMessage } from '../../src/message/read-message.js';
import { classListCsv, streamedMessage } from './support/large-message.js';

const MB = 1024 * 1024;

/** As large-pdf-rss.test.ts, for the kind of 25 MB file with the most text: a class-list CSV. */
describe('a message with a 25 MB CSV attachment', () => {
  it('is read within the memory target, its text cut at the limit', async () => {
    const baselineMb = process.resourceUsage().maxRSS / 1024;
    const started = performance.now();
    const view = await readMessage(streamedMessage('pupils.csv', 'text/csv', () => classListCsv(25 * MB)));
    const elapsedMs = performance.now() - started;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    console.info(`25 MB CSV attachment: peak RSS ${peakMb.toFixed(0)} MB (worker baseline ${baselineMb.toFixed(0)} MB), ${elapsedMs.toFixed(0)} ms`);
    const [attachment] = view.attachments;
    expect(attachment?.sizeBytes).toBe(25 * MB);
    expect(attachment?.facts).toEqual([{ kind: 'unscannable', detail: 'only the first 1000000 characters of its text were checked' }]);
    expect(attachment?.tableRows[0]).toEqual(['UPN', 'Forename', 'Surname', 'DOB', 'Reg', 'Contact Email']);
    expect(attachment?.tableRows.length).toBeGreaterThan(10_000);
    expect(peakMb).toBeLessThan(300);
  });
});
