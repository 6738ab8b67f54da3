import { generateKey, revokeKey, readKey, type PrivateKey } from 'openpgp';

/** An openpgp.js key pair for an invented address; `created` and `lifetimeSeconds` make keys that have expired. */
export async function makeKey(email: string, options: { created?: Date; lifetimeSeconds?: number } = {}): Promise<{ publicKey: string; privateKey: string }> {
  const { publicKey, privateKey } = await generateKey({
    userIDs: [{ name: 'Example Recipient', email }],
    format: 'armored',
    // An hour back, so a test's clock read a moment earlier never sees a key from the future.
    date: options.created ?? new Date(Date.now() - 3_600_000),
    ...(options.lifetimeSeconds ? { keyExpirationTime: options.lifetimeSeconds } : {}),
  });
  return { publicKey, privateKey };
}

export async function revokedKey(email: string): Promise<string> {
  const { privateKey } = await makeKey(email);
  const { publicKey } = await revokeKey({ key: (await readKey({ armoredKey: privateKey })) as PrivateKey, format: 'armored' });
  return publicKey;
}

/** A key that can certify and sign but has no encryption subkey. */
export async function signOnlyKey(email: string): Promise<string> {
  const { publicKey } = await generateKey({ userIDs: [{ email }], subkeys: [], format: 'armored' });
  return publicKey;
}
