/**
 * The little of oidc-provider's API the Entra ID sign-in test uses: the package ships no type declarations and
 * @types/oidc-provider is not installed.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface Configuration {
    readonly clients: readonly Record<string, unknown>[];
    readonly claims: Readonly<Record<string, readonly string[]>>;
    readonly conformIdTokenClaims: boolean;
    readonly findAccount: (context: unknown, id: string) => { accountId: string; claims: () => Record<string, unknown> } | undefined;
    readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
    readonly cookies: { readonly keys: readonly string[] };
    readonly ttl: Readonly<Record<string, number>>;
    readonly features: Readonly<Record<string, { readonly enabled: boolean }>>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
