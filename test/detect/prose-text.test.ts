import { beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../src/detect/detector.js';
import { isReadableText, machineDataRanges, prosePiece, proseView } from '../../src/detect/prose-text.js';
import { loadDetectors } from '../../src/detect/registry.js';
import { runDetectors } from '../../src/detect/run-detectors.js';
import type { TextPiece } from '../../src/message/message-view.js';
import { fakeContext, fakeView } from './fake-directory.js';

/** Bytes as a Windows-1252 or Latin-1 reader shows them: 16-bit audio samples, quiet then loud, with "wog" among them. */
function audioBytesAsText(): string {
  const bytes: number[] = [];
  for (let sample = 0; sample < 2000; sample += 1) {
    const value = Math.round(Math.sin(sample / 7) * (sample < 1000 ? 40 : 9000));
    bytes.push(value & 0xff, (value >> 8) & 0xff);
  }
  bytes.splice(1500, 0, 0x20, 0x77, 0x6f, 0x67, 0x20);
  return Buffer.from(bytes).toString('latin1');
}

const UUENCODED = [
  'Here is the file you asked for.',
  'begin 644 notes.bin',
  'M9FEL92!S=&%R="!B:71C:"!P:7-S(&-U;G0@=V]G(&9U8VL@<VAI="!T=V%T',
  'M(&%R<V4@<&%K:2!W;V<@<V]D(&]F9B!W86YK97(@=&]S<V5R(&)O;&QO8VMS',
  '`',
  'end',
  'Thanks, see you on Monday.',
].join('\n');

/** A bounce's returned headers: the Unix timestamps and Message-ID pass the NHS and ULN checks. */
const RETURNED_HEADERS = [
  'The original message follows.',
  '',
  'Received: from mail.example.org (mail.example.org [192.0.2.1])',
  '        by mx.example.net with ESMTPS id 4155550687',
  '        for <office@example.net>; Mon, 3 Nov 2025 08:00:00 +0000',
  'X-Received: by 2002:a05:6000:1:b0:1733457348 with SMTP id 1733293271',
  'DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel;',
  '        t=1733457348; x=1733293271; bh=abc; b=def',
  'X-Spam-Token: 4155550554 wog fuck',
  'Message-ID: <4155550687.1733293271@mail.example.org>',
  'Subject: Year 6 trip',
  '',
  'NHS 943 476 5919 is in her care plan.',
].join('\n');

let detectors: Detector[];

beforeAll(async () => {
  detectors = await loadDetectors();
});

function categoriesIn(text: string): string[] {
  return runDetectors(detectors, fakeView({ body: text }), fakeContext()).map((finding) => `${finding.category} ${finding.match}`);
}

describe('isReadableText', () => {
  it('accepts prose, with a stray control character or two', () => {
    expect(isReadableText('Dear parents,\n\tThe trip is on Friday.')).toBe(true);
    expect(isReadableText(`A pasted document\u0007 with a bell in a long line of ordinary words, ${'and more words '.repeat(10)}`)).toBe(true);
  });

  it('rejects binary read as characters', () => {
    expect(isReadableText(audioBytesAsText())).toBe(false);
    expect(isReadableText('\ufffd\ufffdPK\u0003\u0004\ufffd')).toBe(false);
  });
});

describe('machineDataRanges', () => {
  it('covers machine header fields with their folded lines, and keeps From, To, Subject and prose', () => {
    const blanked = prosePiece({ location: { part: 'body' }, text: RETURNED_HEADERS })?.text ?? '';
    expect(blanked).toHaveLength(RETURNED_HEADERS.length);
    expect(blanked).not.toMatch(/Received|DKIM|1733457348|4155550687|X-Spam|wog/);
    expect(blanked).toContain('Subject: Year 6 trip');
    expect(blanked).toContain('NHS 943 476 5919 is in her care plan.');
  });

  it('covers a uuencoded block from begin to end, and base64 lines', () => {
    const base64 = 'Rm9yIHRoZSBhdHRlbnRpb24gb2YgdGhlIGhlYWQ6IGZ1Y2sgd29nIDQxNTU1NTA2ODc=';
    const text = `${UUENCODED}\n${base64}\n${base64}\nEnd of message.`;
    const blanked = prosePiece({ location: { part: 'body' }, text })?.text ?? '';
    expect(blanked.split('\n').filter((line) => line.trim() !== '')).toEqual(['Here is the file you asked for.', 'Thanks, see you on Monday.', 'End of message.']);
  });

  it('leaves alone everyday labels, indented prose and long words without digits', () => {
    const text = 'Action: Mrs Example to call home\nStatus: done\n    an indented line\nSupercalifragilisticexpialidociousandmoreletters';
    expect(machineDataRanges(text)).toEqual([]);
  });
});

describe('proseView', () => {
  it('leaves out pieces that are not text and returns an unchanged view as it was', () => {
    const audio: TextPiece = { location: { part: 'attachment', name: 'recording.txt' }, text: audioBytesAsText() };
    const view = fakeView({ body: 'Hello' });
    expect(proseView(view)).toBe(view);
    const withAudio = fakeView({ pieces: [...view.pieces, audio] });
    expect(proseView(withAudio).pieces).toEqual(view.pieces);
  });
});

describe('runDetectors reads prose only', () => {
  it('finds no slur in audio bytes', () => {
    const view = fakeView({ pieces: [{ location: { part: 'attachment', name: 'assembly.wav.txt' }, text: audioBytesAsText() }] });
    expect(runDetectors(detectors, view, fakeContext())).toEqual([]);
  });

  it('finds nothing in a uuencoded block whose letters spell words', () => {
    expect(categoriesIn(UUENCODED)).toEqual([]);
  });

  it('finds no identifier or word in returned headers, and still reads the prose after them', () => {
    expect(categoriesIn(RETURNED_HEADERS)).toEqual(['personal-data/nhs-number 943 476 5919', 'sensitive/health care plan']);
  });
});
