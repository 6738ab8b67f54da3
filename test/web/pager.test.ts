import { describe, expect, it } from 'vitest';
import { alertsPage } from '../../src/web/alerts-page.js';
import { pager } from '../../src/web/pager.js';
import { quarantineListPage } from '../../src/web/quarantine-list-page.js';
import type { User } from '../../src/store/user-directory.js';

const hrefOf = (page: number) => `/list?page=${page}&x=a&y=b`;
const WORDS = { back: 'Previous', on: 'Next' };

describe('the pager under a paged list', () => {
  it('is absent when everything fits on one page', () => {
    expect(pager(1, 0, 50, hrefOf, WORDS)).toBeNull();
    expect(pager(1, 50, 50, hrefOf, WORDS)).toBeNull();
  });

  it('links back and on, keeping what the address builder gives, escaped', () => {
    const first = String(pager(1, 120, 50, hrefOf, WORDS));
    expect(first).toContain('Page 1 of 3');
    expect(first).not.toContain('Previous');
    expect(first).toContain('<a href="/list?page=2&#38;x=a&#38;y=b">Next</a>');
    const middle = String(pager(2, 120, 50, hrefOf, WORDS));
    expect(middle).toContain('<a href="/list?page=1&#38;x=a&#38;y=b">Previous</a>');
    expect(middle).toContain('<a href="/list?page=3&#38;x=a&#38;y=b">Next</a>');
    const last = String(pager(3, 120, 50, hrefOf, WORDS));
    expect(last).toContain('Page 3 of 3');
    expect(last).not.toContain('Next');
  });
});

describe('the paged lists', () => {
  const user: User = { email: 'dpo@school.example.sch.uk', role: 'dpo', schools: 'all', createdAt: new Date(0), disabled: false, mfa: true, entraBound: false, entraGuest: false };
  const listFields = { status: 'held', category: '', rule: '', since: '', until: '', sender: '', search: '', page: 2 };

  it('page the quarantine newest first, with its filters in the links', () => {
    const body = quarantineListPage({ user, csrf: 't', fields: listFields, rows: [], total: 120, pageSize: 50 });
    expect(body).toContain('<a href="/quarantine?status=held">Newer</a>');
    expect(body).toContain('<a href="/quarantine?status=held&#38;page=3">Older</a>');
  });

  it('leave the pager out of a quarantine address search, which a link could not carry', () => {
    const body = quarantineListPage({ user, csrf: 't', fields: { ...listFields, search: 'parent@example.org' }, rows: [], total: 120, pageSize: 50 });
    expect(body).not.toContain('aria-label="Pages"');
  });

  it('page the alerts inbox with its filters in the links', () => {
    const body = alertsPage({ user, csrf: 't', fields: { status: 'open', role: '', page: 1 }, roles: ['dpo'], rows: [], total: 60, pageSize: 50 });
    expect(body).toContain('Page 1 of 2');
    expect(body).toContain('<a href="/alerts?status=open&#38;page=2">Next</a>');
  });
});
