import { describe, expect, it } from 'vitest';
import { findDatesOfBirth, isCalendarDate } from '../../../src/detect/identifiers/date-of-birth.js';

describe('findDatesOfBirth', () => {
  it.each([
    ['DOB: 03/03/2015', '03/03/2015'],
    ['D.O.B. 3/3/15', '3/3/15'],
    ['DoB 2015-03-03', '2015-03-03'],
    ['Date of birth (as on SIMS): 03.03.2015', '03.03.2015'],
    ['Date of Birth\n03-03-2015', '03-03-2015'],
    ['She was born on 3rd March 2015 in Leeds', '3rd March 2015'],
    ['born 3 Mar 2015', '3 Mar 2015'],
    ['born on the 3rd of March 2015', '3rd of March 2015'],
    ['born on Tuesday 3 March 2015', '3 March 2015'],
    ['His birthday is March 3rd, 2015', 'March 3rd, 2015'],
    ['A.O. (03/03/2015 DOB)', '03/03/2015'],
    ['03/03/2015 (D.O.B)', '03/03/2015'],
  ])('finds the date in %j', (text, date) => {
    expect(findDatesOfBirth(text).map((match) => match.text)).toEqual([date]);
  });

  it.each([
    'The meeting on 12/03/2025 is moved.',
    'The birthday party is on Saturday 12/03/2025.',
    'Born in 2015, she joined in Year 2.',
    'DOB column is attached. Trip on 12/03/2025.',
    'DOB 31/02/2015',
    'DOB 12/13/2015',
  ])('ignores %j', (text) => {
    expect(findDatesOfBirth(text)).toEqual([]);
  });

  it('takes only the date tied to the label, not a later one', () => {
    const text = 'DOB 01/01/2015, joined 02/09/2019';
    expect(findDatesOfBirth(text).map((match) => match.text)).toEqual(['01/01/2015']);
  });

  it('gives spans into the text', () => {
    const text = 'Name: A.O.  DOB: 03/03/2015';
    const [date] = findDatesOfBirth(text);
    expect(text.slice(date?.start, date?.end)).toBe('03/03/2015');
  });
});

describe('isCalendarDate', () => {
  it('knows month lengths and leap years', () => {
    expect(isCalendarDate(29, 2, 2016)).toBe(true);
    expect(isCalendarDate(29, 2, 2015)).toBe(false);
    expect(isCalendarDate(31, 4, 2015)).toBe(false);
    expect(isCalendarDate(0, 1, 2015)).toBe(false);
  });
});
