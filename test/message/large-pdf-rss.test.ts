import { describe, expect, it } from 'vitest';
import { readMessage } from '../../src/message/read-message.js';
import { attachmentText } from './support/attach.js';
import { scannedPdf, streamedMessage } from './support/large-message.js';

const MB = 1024 * 1024;

/**
 * Runs alone in its own test file, so the worker's peak RSS is this read's: a 25 MB attachment
 * streamed in from a sender, never held whole by the test. Target: under 300 MB for the process.
 */
describe('a message with a 25 MB PDF attachment', () => {
  it('is read within the memory target', async () => {
    const baselineMb = process.resourceUsage().maxRSS / 1024;
    const started = performance.now();
    const view = await readMessage(streamedMessage('scan.pdf', 'application/pdf', () => scannedPdf('Scanned letter about Kwame Mensah', 25 * MB)));
    const elapsedMs = performance.now() - started;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    console.info(`25 MB PDF attachment: peak RSS ${peakMb.toFixed(0)} MB (worker baseline ${baselineMb.toFixed(0)} MB), ${elapsedMs.toFixed(0)} ms`);
    expect(view.attachments).toEqual([expect.objectContaining({ name: 'scan.pdf', detectedType: 'application/pdf', facts: [] })]);
    expect(view.attachments[0]?.sizeBytes).toBeGreaterThan(25 * MB);
    expect(attachmentText(view.pieces, 'scan.pdf')).toBe('Scanned letter about Kwame Mensah');
    expect(peakMb).toBeLessThan(300);
  });
});
