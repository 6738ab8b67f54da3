import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

/** Invented directory (tenant) ids: the school's, and another organisation's. */
export const TENANT = '0f6c1e2a-5b7d-4c8e-9a1b-2c3d4e5f6a7b';
export const OTHER_TENANT = '7e2d9c4b-1a3f-4e6d-8b5c-9d0e1f2a3b4c';
export const CLIENT_ID = '3c9a7e51-2d4b-4f86-a0c1-5e7f9b2d4a61';
export const CLIENT_SECRET = 'invented client secret for tests';

/** The claims an Entra ID token carries that Hallmonitor reads. */
export interface ProviderAccount {
  readonly tid: string;
  /** The person's immutable object id in the directory. */
  readonly oid: string;
  readonly preferred_username: string;
  readonly email?: string;
  /** For a guest: the identity provider that authenticated them (their home directory), not this tenant. */
  readonly idp?: string;
  /** The optional claim: 1 for a guest, 0 for a member. */
  readonly acct?: number;
}

export interface IdentityProvider {
  /** `http://localhost:PORT`: another site than the app at 127.0.0.1, as Entra ID is in production. */
  readonly issuer: string;
  close(): Promise<void>;
}

/**
 * A real, certified OpenID Provider (oidc-provider) standing in for Entra ID: one confidential client with the
 * gateway's redirect URI, PKCE required, RS256 ID tokens carrying `tid`, `oid`, `preferred_username`, `email` (and
 * `idp`, `acct` for guests), and
 * its own login and consent pages (devInteractions: any password, the login names the account). On `port`, or
 * any free one.
 */
export async function startIdentityProvider(redirectUri: string, accounts: Readonly<Record<string, ProviderAccount>>, port = 0): Promise<IdentityProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const configuration: Configuration = {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub', 'tid', 'oid', 'idp', 'acct'], profile: ['preferred_username'], email: ['email'] },
    // Entra ID puts these claims in the ID token itself, not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    findAccount: (_context, id) => {
      const account = accounts[id];
      return account ? { accountId: id, claims: () => ({ sub: id, ...account }) } : undefined;
    },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
    features: { devInteractions: { enabled: true } },
  };
  const provider = new Provider(issuer, configuration);
  server.on('request', provider.callback());
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
