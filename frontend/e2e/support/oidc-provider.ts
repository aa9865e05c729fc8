import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small but real OpenID Connect provider on loopback for the browser tests: discovery, a JWKS with its own RSA key,
 * a sign-in page (the person types who they are), one-time codes, a token endpoint that checks the client secret
 * (HTTP Basic), the redirect URI and the PKCE verifier (S256), and ID tokens signed RS256 by node:crypto.
 */
export class OidcProvider {
  readonly clientId = `keysmith-e2e-${randomUUID().slice(0, 8)}`;
  readonly clientSecret = `secret-${randomUUID()}`;
  private readonly server: Server;
  private readonly privateKey: KeyObject;
  private readonly jwk: Record<string, unknown>;
  private readonly codes = new Map<string, Record<string, string>>();

  private constructor(private readonly redirectUri: string) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'e2e-1', use: 'sig', alg: 'RS256' };
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
  }

  static async start(redirectUri: string): Promise<OidcProvider> {
    const p = new OidcProvider(redirectUri);
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    return p;
  }

  get issuer(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (url.pathname === '/jwks') return json(res, 200, { keys: [this.jwk] });
    if (url.pathname === '/authorize' && req.method === 'GET') return this.loginPage(url, res);
    if (url.pathname === '/authorize' && req.method === 'POST') return this.approve(await body(req), res);
    if (url.pathname === '/token' && req.method === 'POST') return this.token(req, await body(req), res);
    res.statusCode = 404;
    res.end();
  }

  private loginPage(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    if (
      q.get('client_id') !== this.clientId ||
      q.get('redirect_uri') !== this.redirectUri ||
      q.get('response_type') !== 'code' ||
      q.get('code_challenge_method') !== 'S256' ||
      !q.get('state') ||
      !q.get('nonce')
    ) {
      return json(res, 400, { error: 'invalid_request' });
    }
    const hidden = ['state', 'nonce', 'code_challenge']
      .map((k) => `<input type="hidden" name="${k}" value="${escape(q.get(k) ?? '')}">`)
      .join('');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><title>Test IdP</title><main><h1>Test identity provider</h1>
      <form method="post" action="/authorize">${hidden}
      <label>IdP e-mail <input name="email" type="email" required></label>
      <label>IdP first name <input name="given_name"></label>
      <button type="submit">Sign in to the IdP</button></form></main></html>`);
  }

  private approve(form: URLSearchParams, res: ServerResponse) {
    const code = randomUUID();
    this.codes.set(code, {
      nonce: form.get('nonce') ?? '',
      challenge: form.get('code_challenge') ?? '',
      email: form.get('email') ?? '',
      givenName: form.get('given_name') || 'Sam',
    });
    const back = new URL(this.redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', form.get('state') ?? '');
    res.statusCode = 302;
    res.setHeader('Location', back.toString());
    res.end();
  }

  private token(req: IncomingMessage, form: URLSearchParams, res: ServerResponse) {
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(this.clientId)}:${encodeURIComponent(this.clientSecret)}`).toString('base64')}`;
    if (req.headers.authorization !== basic) return json(res, 401, { error: 'invalid_client' });
    const grant = this.codes.get(form.get('code') ?? '');
    this.codes.delete(form.get('code') ?? '');
    const verifier = form.get('code_verifier') ?? '';
    if (
      !grant ||
      form.get('grant_type') !== 'authorization_code' ||
      form.get('redirect_uri') !== this.redirectUri ||
      createHash('sha256').update(verifier).digest('base64url') !== grant.challenge
    ) {
      return json(res, 400, { error: 'invalid_grant' });
    }
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: this.issuer,
      sub: `sub-${grant.email}`,
      aud: this.clientId,
      iat: now,
      exp: now + 300,
      nonce: grant.nonce,
      email: grant.email,
      email_verified: true,
      given_name: grant.givenName,
      family_name: 'Single',
    };
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${part({ alg: 'RS256', typ: 'JWT', kid: 'e2e-1' })}.${part(claims)}`;
    const signature = sign('RSA-SHA256', Buffer.from(input), this.privateKey).toString('base64url');
    return json(res, 200, {
      access_token: randomUUID(),
      token_type: 'Bearer',
      expires_in: 300,
      id_token: `${input}.${signature}`,
    });
  }
}

function json(res: ServerResponse, status: number, value: unknown) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(value));
}

async function body(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function escape(s: string) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
