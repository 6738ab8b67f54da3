import { describe, expect, it } from 'vitest';
import { extensionOf, programFacts, sniffType } from '../../src/message/sniff.js';

const PE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]);
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01]), Buffer.alloc(200)]);
const TEXT = Buffer.from('Just some notes about the trip.');

describe('extensionOf', () => {
  it.each([
    ['report.PDF', 'pdf'],
    ['outer.zip/inner.docx', 'docx'],
    ['archive.tar.gz', 'gz'],
    ['run.exe.', 'exe'],
    ['run.exe . ', 'exe'],
    ['README', ''],
    ['.hidden', ''],
    ['folder.v2/README', ''],
  ])('%s → %s', (name, extension) => {
    expect(extensionOf(name)).toBe(extension);
  });
});

describe('sniffType', () => {
  it('names a type from magic bytes, and nothing for plain text', async () => {
    expect(await sniffType(PE)).toBe('application/x-msdownload');
    expect(await sniffType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(await sniffType(TEXT)).toBeUndefined();
  });

  it('takes a Unicode byte order mark for text, which file-type would read as an MP3 frame', async () => {
    expect(await sniffType(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Kwame', 'utf16le')]))).toBe('text/plain');
    expect(await sniffType(Buffer.from('\uFEFFKwame'))).toBe('text/plain');
  });
});

describe('programFacts', () => {
  it('recognises programs by content, whatever their name says', async () => {
    expect(programFacts('holiday.jpg', PE, 'image/jpeg', await sniffType(PE))).toEqual([{ kind: 'executable', detail: 'a Windows program' }]);
    expect(programFacts('notes', ELF, 'application/octet-stream', await sniffType(ELF))).toEqual([{ kind: 'executable', detail: 'a Linux program' }]);
  });

  it('recognises scripts by a #! line', () => {
    expect(programFacts('setup', Buffer.from('#!/bin/sh\necho hi'), 'text/plain', undefined)).toEqual([{ kind: 'executable', detail: 'a script (it starts with #!)' }]);
  });

  it('recognises a declared program type', () => {
    expect(programFacts('x', TEXT, 'application/x-msdownload', undefined)).toEqual([{ kind: 'executable', detail: 'a Windows program' }]);
  });

  it.each(['exe', 'scr', 'bat', 'cmd', 'com', 'ps1', 'vbs', 'js', 'jse', 'wsf', 'hta', 'msi', 'jar', 'lnk', 'dll'])('recognises a .%s file by name', (extension) => {
    expect(programFacts(`file.${extension}`, TEXT, 'application/octet-stream', undefined)).toEqual([{ kind: 'executable', detail: `a program or script (.${extension} file)` }]);
  });

  it('sees through a trailing dot and a decoy extension', () => {
    expect(programFacts('report.pdf.exe.', TEXT, 'application/pdf', undefined).map((fact) => fact.kind)).toEqual(['executable']);
  });

  it('leaves documents alone', async () => {
    expect(programFacts('notes.txt', TEXT, 'text/plain', undefined)).toEqual([]);
    expect(programFacts('scan.pdf', Buffer.from('%PDF-1.7\n'), 'application/pdf', 'application/pdf')).toEqual([]);
  });
});
