import { describe, expect, it } from 'vitest';
import { detectPersonalData } from '../../../src/detect/personal-data.js';
import { fakeContext, fakeView } from '../fake-directory.js';

/**
 * Numbers and codes that look like personal data and are not. Several pass a checksum on their
 * own (noted), so it is the label, the shape or the context that must keep them out.
 */
const LOOKALIKES: readonly [text: string, why: string][] = [
  ['Order 1234567890 has shipped', 'order number, fails both mod-11 checks'],
  ['Order no. 4817263953 has shipped', 'passes the ULN check, labelled as an order'],
  ['Tracking number: 5729301846', 'passes the ULN check, labelled as tracking'],
  ['Your parcel 4010232137 is on its way', 'passes the NHS check, labelled as a parcel'],
  ['Invoice ref INV-4929123456', 'invoice reference joined to its prefix'],
  ['Booking reference 9434765918', 'passes the ULN check, labelled as a booking'],
  ['Transaction 4111111111111111 refunded', 'Luhn-valid, labelled as a transaction'],
  ['Ticket 2000000001', 'passes the ULN check, labelled as a ticket'],
  ['Reference number 3141592653', 'random ten digits, fails both mod-11 checks'],
  ['The batch 2718281828 arrived', 'random ten digits, fails both mod-11 checks'],
  ['Case 9876543210', 'passes the NHS check, but a run of digits'],
  ['Call 1111111111 for nothing', 'passes the NHS check, but one digit repeated'],
  ['Timestamp 1700000000', 'Unix time, fails both checks'],
  ['Card 4111 1111 1111 1112', 'sixteen digits failing Luhn'],
  ['Card 4929 1234 5678 9012', 'sixteen digits failing Luhn'],
  ['Code 0000 0000 0000 0000', 'Luhn-valid zeros'],
  ['Voucher 1234 5678 1234 5670', 'Luhn-valid, no card scheme starts with 1'],
  ['ISBN 9780141036144', 'an ISBN'],
  ['Amazon order 204-1234567-1234567', 'hyphen-joined order number'],
  ['Tracking 1Z999AA10123456784', 'UPS tracking code'],
  ['Zoom meeting ID 845 1234 5678', 'meeting ID'],
  ['Meeting on 12/03/2025 at 10:30', 'a plain date and time'],
  ['Birthday party on 12/03/2025', 'a date near "birthday" that is not one'],
  ['Version 1.2.3.4 on 192.168.0.1', 'version and IP address'],
  ['Total £1,234,567.89', 'an amount'],
  ['Ref 20-00-00 12345678', 'sort-code and account shapes without labels'],
  ['Account number 12345678 for milk', 'an account number with no sort code'],
  ['Freephone 0800 123 4567', 'freephone is not a person'],
  ['Helpline 0845 678 9012', 'special-rate line'],
  ['New York office +1 212 555 0100', 'not a UK number'],
  ['UPN A801200005001', 'UPN with the wrong check letter'],
  ['queued with id 1243598247 by the relay', 'passes the NHS check; 12/43 is no CHI date and it is below the NHS ranges'],
  ['X-Spam-Token: 2742879943', 'passes the NHS check; 27/42 is no CHI date'],
  ['1614282640,2021-02-25T19:50:40Z,LOT455', 'passes the ULN check; the Unix time of the date beside it'],
  ['hda: U7系列 ST320014A 20.4GB/UDMA 100/5400rpm', 'a hard disk model on a line of its specification'],
  ['WD800JB 80GB 7200rpm', 'a hard disk model that is a postcode shape'],
  ['Delivery failed: message with id a000000000000', 'passes the UPN check; all-zero digits are a placeholder'],
  ['NI QQ 12 34 56 C', 'the HMRC specimen NI number'],
  ['NI GB 12 34 56 A', 'an unallocated NI prefix'],
  ['NHS 943 476 5918', 'NHS number with the wrong check digit'],
  ['Year 7 (Y7 4TH) and KS2 1ST', 'year groups and key stages, not postcodes'],
  ['See room b12 3ab', 'a lower-case room code without an address'],
  ['Score 07-03-2015 8-7', 'a date and a score'],
  ['Message-ID: <4155550687@mail.example.org>', 'passes the NHS check, the local part of a Message-ID'],
  ['reply to 1733293271@lists.example.org', 'passes the ULN check, joined to an address'],
  ['d=example.org; t=1733457348; x=1733293271;', 'DKIM timestamps (NHS- and ULN-valid) as parameters'],
  ['Unsubscribe: https://example.org/u?id=4155550554', 'passes the ULN check, a link parameter'],
  ['Call our US office on +1 415 555 0687', 'passes the NHS check, a North American number'],
  ['Boston office: 617-555-0285', 'passes the NHS check, written 3-3-4 with hyphens as in North America'],
  ['Tel 4155550554 (US)', 'passes the ULN check, labelled as a telephone number'],
  ['hda: ST380011A, ATA DISK drive', 'a hard disk model number shaped like an NI number'],
  ['Replace with model JG103759A', 'an NI-shaped code labelled as a model'],
  ['Spare TS128GB SSD drives in stock', 'a product code shaped like a postcode without its space'],
  ['Switchboard: 0161 496 0123', "an organisation's switchboard"],
  ['Fax 0161 496 0124', 'a fax line'],
  ['Registered in England and Wales No. 01632 960001', 'a company registration number shaped like a telephone number'],
];

describe('the same shapes where they are personal data', () => {
  it.each([
    ['NHS number 617-555-0285', '617-555-0285'],
    ['Her NI number is ST380011A', 'ST380011A'],
    ['Please update JG103759A on the payroll', 'JG103759A'],
    ['New address: LS62AB, drive carefully', 'LS62AB'],
    ['Mum on 0161 496 0123 after six', '0161 496 0123'],
  ])('%j is still found', (text, match) => {
    expect(detectPersonalData(fakeView({ body: text }), fakeContext()).map((finding) => finding.match)).toEqual([match]);
  });
});

describe('lookalikes of personal data', () => {
  it.each(LOOKALIKES)('%j yields no finding (%s)', (text) => {
    expect(detectPersonalData(fakeView({ subject: text, body: text }), fakeContext())).toEqual([]);
  });
});
