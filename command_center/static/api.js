// The operator's session: sign in, GraphQL over HTTP, and keeping the access token fresh.
//
// Access tokens live 15 minutes; refresh tokens rotate (each works once, and presenting a
// spent one revokes the whole sign-in). The wall refreshes a minute before expiry, and the
// pair is kept in localStorage so a wall that reboots overnight comes back signed in. Two
// tabs on one browser share that storage: a Web Lock makes them take turns, and a tab that
// finds a newer pair than the one it holds adopts it instead of spending a stale token.

const STORAGE_KEY = "batt.commandCenter.session";
const REFRESH_MARGIN_MS = 60_000;
const RETRY_MS = 10_000;
const OPERATOR_ROLES = ["OPERATOR", "ADMIN"];

const SESSION_FIELDS = "accessToken accessTokenExpiresAt refreshToken user { name roles } errors { code message }";
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${SESSION_FIELDS} } }`;
const REFRESH = `mutation($token: String!) { refreshToken(refreshToken: $token) { ${SESSION_FIELDS} } }`;
const LOGOUT = "mutation($token: String!) { logout(refreshToken: $token) { errors { code } } }";

export class SignInError extends Error {}

/** The server said no to this session (not a network problem): sign in again. */
export class SessionEnded extends Error {}

function readStored() {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
    return value && value.accessToken && value.refreshToken ? value : null;
  } catch {
    return null;
  }
}

async function post(query, variables, accessToken) {
  const headers = { "Content-Type": "application/json", "Accept-Language": "id" };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  const response = await fetch("/graphql", {
    method: "POST", headers, body: JSON.stringify({ query, variables }), cache: "no-store",
  });
  if (!response.ok && response.status !== 400) {
    throw new Error(`HTTP ${response.status}`);
  }
  return response.json();
}

export class Session {
  constructor() {
    this.tokens = readStored();
    this.userName = this.tokens ? this.tokens.userName : "";
    this.listeners = new Set();
    this.refreshing = null;
    this.timer = null;
    // Another tab rotated the pair: use its tokens rather than spending ours.
    window.addEventListener("storage", (event) => {
      if (event.key !== STORAGE_KEY) return;
      const stored = readStored();
      if (stored) {
        this.tokens = stored;
        this.schedule();
      } else if (this.tokens) {
        this.end();
      }
    });
    if (this.tokens) this.schedule();
  }

  get signedIn() {
    return this.tokens !== null;
  }

  onEnd(listener) {
    this.listeners.add(listener);
  }

  async signIn(phone, password) {
    let body;
    try {
      body = await post(LOGIN, { input: { identifier: phone, password } });
    } catch {
      throw new SignInError("Server tidak dapat dihubungi. Periksa jaringan, lalu coba lagi.");
    }
    const payload = body.data && body.data.login;
    if (!payload) throw new SignInError("Gagal masuk. Coba lagi.");
    if (payload.errors.length) throw new SignInError(payload.errors[0].message);
    if (!payload.user.roles.some((role) => OPERATOR_ROLES.includes(role))) {
      // Do not leave a usable session behind for an account that cannot use the wall.
      post(LOGOUT, { token: payload.refreshToken }).catch(() => {});
      throw new SignInError("Akun ini bukan operator command center.");
    }
    this.store(payload);
  }

  store(payload) {
    this.tokens = {
      accessToken: payload.accessToken,
      refreshToken: payload.refreshToken,
      expiresAt: Date.parse(payload.accessTokenExpiresAt),
      userName: payload.user ? payload.user.name : this.userName,
    };
    this.userName = this.tokens.userName;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(this.tokens));
    this.schedule();
  }

  schedule(delay) {
    clearTimeout(this.timer);
    if (!this.tokens) return;
    const due = delay ?? Math.max(0, this.tokens.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => this.refresh().catch(() => {}), due);
  }

  /** A valid access token, refreshed first if it is about to expire. */
  async accessToken() {
    if (!this.tokens) throw new SessionEnded("signed out");
    if (this.tokens.expiresAt - Date.now() < REFRESH_MARGIN_MS / 2) await this.refresh();
    return this.tokens.accessToken;
  }

  refresh() {
    if (!this.refreshing) {
      this.refreshing = this.lockedRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  async lockedRefresh() {
    const spent = this.tokens && this.tokens.refreshToken;
    const run = async () => {
      const stored = readStored();
      if (stored && stored.refreshToken !== spent) {
        this.tokens = stored; // another tab got there first
        this.schedule();
        return;
      }
      if (!this.tokens) throw new SessionEnded("signed out");
      let body;
      try {
        body = await post(REFRESH, { token: spent });
      } catch (error) {
        this.schedule(RETRY_MS); // offline for now: the token we have may still do
        throw error;
      }
      const payload = body.data && body.data.refreshToken;
      if (!payload || payload.errors.length) {
        this.end();
        throw new SessionEnded(payload ? payload.errors[0].code : "refresh failed");
      }
      this.store(payload);
    };
    if (navigator.locks) {
      await navigator.locks.request("batt.commandCenter.refresh", run);
    } else {
      await run();
    }
  }

  /** POST a query with the operator's token; refreshes once on an expired token. */
  async query(query, variables = {}) {
    for (let attempt = 0; ; attempt++) {
      const body = await post(query, variables, await this.accessToken());
      const unauthenticated = (body.errors || []).some(
        (e) => e.extensions && e.extensions.code === "UNAUTHENTICATED");
      if (unauthenticated && attempt === 0) {
        await this.refresh();
        continue;
      }
      if (unauthenticated) {
        this.end();
        throw new SessionEnded("unauthenticated");
      }
      if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
      return body.data;
    }
  }

  async signOut() {
    const token = this.tokens && this.tokens.refreshToken;
    this.end();
    if (token) await post(LOGOUT, { token }).catch(() => {});
  }

  end() {
    clearTimeout(this.timer);
    const wasSignedIn = this.tokens !== null;
    this.tokens = null;
    localStorage.removeItem(STORAGE_KEY);
    if (wasSignedIn) for (const listener of this.listeners) listener();
  }
}
