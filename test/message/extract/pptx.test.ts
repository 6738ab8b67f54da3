import { describe, expect, it } from 'vitest';
import { readAttachment } from '../support/attach.js';
import { handmadePptx } from '../support/documents.js';

describe('PowerPoint attachments', () => {
  it('reads slides in number order, then speaker notes, with entities decoded', async () => {
    const slides = Array.from({ length: 11 }, (_, index) => `Slide ${index + 1}`);
    slides[1] = 'Kwame Mensah &amp; Zo&#235;\nSecond line';
    const pptx = await handmadePptx(slides, { 2: 'Note about slide two' });
    const { attachment, textOf } = await readAttachment('assembly.pptx', pptx);
    const lines = textOf('assembly.pptx')
      .split('\n')
      .filter((line) => line !== '');
    expect(lines.slice(0, 4)).toEqual(['Slide 1', 'Kwame Mensah & Zoë', 'Second line', 'Slide 3']);
    expect(lines.slice(-2)).toEqual(['Slide 11', 'Note about slide two']);
    expect(attachment.facts).toEqual([]);
  });
});
