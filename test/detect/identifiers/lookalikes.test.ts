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
  ['NI QQ 12 34 56 C', 'the HMRC specimen NI number'],
  ['NI GB 12 34 56 A', 'an unallocated NI prefix'],
  ['NHS 943 476 5918', 'NHS number with the wrong check digit'],
  ['Year 7 (Y7 4TH) and KS2 1ST', 'year groups and key stages, not postcodes'],
  ['See room b12 3ab', 'a lower-case room code without an address'],
  ['Score 07-03-2015 8-7', 'a date and a score'],
];

describe('lookalikes of personal data', () => {
  it('has at least thirty cases', () => {
    expect(LOOKALIKES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(LOOKALIKES)('%j yields no finding (%s)', (text) => {
    expect(detectPersonalData(fakeView({ subject: text, body: text }), fakeContext())).toEqual([]);
  });
});
