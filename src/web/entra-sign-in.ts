import { createHmac } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/yaml-file.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** Where Entra ID sends the browser back: reviewUrl + this path is the app registration's redirect URI. */
export const ENTRA_CALLBACK_PATH = '/sign-in/entra/callback';

/** After a failed discovery, the sign-in page tries again at most this often (the button stays hidden till then). */
const DISCOVERY_RETRY_MS = 60_000;
/** Entra ID answers in well under a second; a stalled identity provider must not hold a sign-in for long. */
const REQUEST_TIMEOUT_SECONDS = 10;

/** The `entraId` settings, resolved: the secret present, the issuer and redirect URI as URLs. */
export interface EntraSettings {
  /** Lower-cased; ID tokens whose `tid` differs are refused. */
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly issuer: URL;
  readonly redirectUri: URL;
  /** False: the password form is off and everyone signs in with Entra ID (`entraId.passwordSignIn`). Default true. */
  readonly passwordSignIn?: boolean;
}

/** Who Entra ID says signed in, from a validated ID token. */
export interface EntraIdentity {
  /** `tid` and `oid`, lower-cased: the immutable pair an account is bound to at its first Microsoft sign-in. */
  readonly tenantId: string;
  readonly objectId: string;
  /** `preferred_username`, lower-cased: names the local account only at that first sign-in. */
  readonly username: string | undefined;
  /** A guest (B2B) of the tenant: `acct` is 1, or `idp` names another identity provider than the tenant. */
  readonly guest: boolean;
}

/**
 * The Entra ID settings from the configuration, or undefined when `entraId` is absent. A missing client secret
 * stops the start, naming the setting and its environment variable.
 */
export function entraSettings(config: Pick<Config, 'entraId' | 'entraIdClientSecret' | 'reviewUrl' | 'web'>): EntraSettings | undefined {
  const { entraId, entraIdClientSecret } = config;
  if (!entraId) return undefined;
  if (!entraIdClientSecret) {
    throw new ConfigError(
      'configuration',
      undefined,
      'entraIdClientSecret',
      'entraId is set, so its client secret is needed (entraIdClientSecret or HALLMONITOR_ENTRA_CLIENT_SECRET)',
    );
  }
  const tenantId = entraId.tenantId.toLowerCase();
  const reviewUrl = config.reviewUrl ?? `http://${config.web.host}:${config.web.port}`;
  return {
    tenantId,
    clientId: entraId.clientId,
    clientSecret: entraIdClientSecret,
    issuer: new URL(entraId.issuer ?? `https://login.microsoftonline.com/${tenantId}/v2.0`),
    redirectUri: new URL(ENTRA_CALLBACK_PATH, reviewUrl),
    passwordSignIn: entraId.passwordSignIn ?? true,
  };
}

/** Why a sign-in with Entra ID was refused; the message is for the person and names no one. */
export const ENTRA_REFUSALS = {
  unavailable: 'Sign-in with Microsoft is not available at the moment. Sign in with your password, or try again later.',
  'no-flow': 'This sign-in has expired or was already used. Start again from the sign-in page.',
  'response-refused': 'Microsoft did not complete the sign-in. Start again from the sign-in page.',
  'wrong-tenant': "That Microsoft account does not belong to this school's organisation.",
  'no-account': "There is no Hallmonitor account for that Microsoft account, or it is disabled. Ask the school's IT administrator to add you.",
  guest: "Guests of the school's organisation cannot sign in here unless their account allows it. Ask the school's IT administrator.",
} as const;

export type EntraRefusalCode = keyof typeof ENTRA_REFUSALS;

export class EntraRefusal extends HallmonitorError {
  override readonly name = 'EntraRefusal';
  readonly disposition = 'permanent';

  constructor(
    readonly code: EntraRefusalCode,
    /** A protocol error code for the log (never a description, which can name the person). */
    readonly detail?: string,
  ) {
    super(ENTRA_REFUSALS[code]);
  }
}

/** What the gateway logs: codes and the issuer only, never a claim. */
export interface EntraProblem {
  readonly code: 'discovery-failed' | EntraRefusalCode;
  readonly detail?: string;
}

/** The `state`, `nonce` and PKCE `code_verifier` of one sign-in. */
export interface FlowChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/**
 * The checks derived from the flow cookie's random secret by HMAC, one per purpose, as the CSRF tokens are
 * (session-cookies.ts): nothing is kept on the server, so any of several gateway processes can finish a
 * sign-in another began, and only the browser holding the cookie can. Each is 43 base64url characters, the
 * shortest PKCE verifier RFC 7636 §4.1 allows, carrying 256 bits.
 */
export function flowChecks(flowSecret: string): FlowChecks {
  const derive = (purpose: string) => createHmac('sha256', flowSecret).update(`hallmonitor entra ${purpose}`).digest('base64url');
  return { state: derive('state'), nonce: derive('nonce'), codeVerifier: derive('pkce') };
}

/**
 * The OpenID Connect Authorization Code flow with PKCE against Entra ID (openid-client). It authenticates only:
 * the addresses it returns still have to name a local account, which gives the role and schools.
 */
export class EntraSignIn {
  #configuration: oidc.Configuration | undefined;
  #discovering: Promise<boolean> | undefined;
  #lastAttempt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly settings: EntraSettings,
    private readonly onProblem: (problem: EntraProblem) => void = () => {},
  ) {}

  /** Reads the issuer's metadata; false, and reported, when it cannot, so the sign-in page hides the button. */
  discover(): Promise<boolean> {
    this.#discovering ??= this.#discover().finally(() => {
      this.#discovering = undefined;
    });
    return this.#discovering;
  }

  /** Whether the button is shown. After a failed discovery it asks again in the background, at most once a minute. */
  get available(): boolean {
    if (!this.#configuration && Date.now() - this.#lastAttempt >= DISCOVERY_RETRY_MS) void this.discover();
    return this.#configuration !== undefined;
  }

  /** Where to send the browser to sign in at Entra ID. */
  async authorizationUrl(flowSecret: string): Promise<URL> {
    const configuration = this.#configured();
    const checks = flowChecks(flowSecret);
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUri.href,
      response_type: 'code',
      // preferred_username comes with `profile`; `email` only when the registration adds it as an optional claim.
      scope: 'openid profile email',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Completes the flow from the callback's query: checks the state, redeems the code with the PKCE verifier,
   * validates the ID token (signature from the issuer's JWKS, issuer, audience, expiry, nonce) and its tenant.
   * Returns who signed in: their object id, tenant, username and whether they are a guest. The `email` claim is
   * never read: anyone can set it on an account of their own, and it is not unique.
   */
  async identityFrom(callbackQuery: string, flowSecret: string | undefined): Promise<EntraIdentity> {
    const configuration = this.#configured();
    if (!flowSecret) throw new EntraRefusal('no-flow');
    const checks = flowChecks(flowSecret);
    const callback = new URL(this.settings.redirectUri);
    callback.search = callbackQuery;
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, callback, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
      });
      claims = tokens.claims();
    } catch (error) {
      throw new EntraRefusal('response-refused', protocolCode(error));
    }
    if (!claims) throw new EntraRefusal('response-refused', 'no-id-token');
    if (typeof claims.tid !== 'string' || claims.tid.toLowerCase() !== this.settings.tenantId) throw new EntraRefusal('wrong-tenant');
    if (typeof claims.oid !== 'string' || claims.oid.trim() === '') throw new EntraRefusal('response-refused', 'no-oid');
    const username = typeof claims.preferred_username === 'string' && claims.preferred_username.trim() !== '' ? claims.preferred_username.trim().toLowerCase() : undefined;
    return { tenantId: this.settings.tenantId, objectId: claims.oid.trim().toLowerCase(), username, guest: isGuest(claims, this.settings.tenantId) };
  }

  /** Tells the gateway's log a refusal's code. */
  report(problem: EntraProblem): void {
    this.onProblem(problem);
  }

  async #discover(): Promise<boolean> {
    this.#lastAttempt = Date.now();
    const { issuer, clientId, clientSecret } = this.settings;
    try {
      this.#configuration = await oidc.discovery(issuer, clientId, clientSecret, oidc.ClientSecretPost(), {
        timeout: REQUEST_TIMEOUT_SECONDS,
        // Signatures are checked against the issuer's JWKS even though the ID token comes straight from its token
        // endpoint; plain HTTP only for an issuer on this machine (the configuration allows nothing else).
        execute: [oidc.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [])],
      });
      return true;
    } catch (error) {
      this.onProblem({ code: 'discovery-failed', detail: protocolCode(error) });
      return false;
    }
  }

  #configured(): oidc.Configuration {
    if (!this.#configuration) throw new EntraRefusal('unavailable');
    return this.#configuration;
  }
}

/**
 * Entra ID's `idp` equals the issuer for the tenant's own members and names the home directory (or `live.com`)
 * for a guest; the optional `acct` claim says 1 for a guest. Either marks one.
 */
function isGuest(claims: oidc.IDToken, tenantId: string): boolean {
  if (claims.acct === 1 || claims.acct === '1') return true;
  return typeof claims.idp === 'string' && !claims.idp.toLowerCase().includes(tenantId);
}

/**
 * A failure's protocol code for the log: the OAuth `error` (e.g. `access_denied`) or openid-client's code. Never
 * the error's text: Entra's `error_description` can name the person.
 */
function protocolCode(error: unknown): string {
  if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError) return error.error;
  const code = (error as { code?: unknown; cause?: { code?: unknown } }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : 'error';
}
