import type { Verdict } from './verdict.js';

/**
 * An automatic message (the null sender, or `Auto-Submitted:` other than `no`: an out-of-office reply, an NDR,
 * a read receipt) has nobody to return it to, nobody to pass a generated passphrase on, and must not make
 * another automatic message (RFC 3834 §2). So what the rules would return or encrypt is held for the Data
 * Protection Officer instead, who can release it, encrypted or not; nothing is dropped and nobody is mailed.
 * The rules that fired stay as they were, so the audit says why.
 */
export function verdictForAutomaticMessage(verdict: Verdict): Verdict {
  return verdict.action === 'return' || verdict.action === 'encrypt' ? { ...verdict, action: 'quarantine' } : verdict;
}
