// A command-center client on the npm graphql-ws package, written the way the README tells
// app developers to: connectionParams is a function returning a fresh access token (it
// refreshes one that is about to expire), the stream starts from latestEventCursor, and
// the sink keeps the last cursor in the subscribe payload, which graphql-ws sends again
// as it is when it reconnects — so a retry resumes exactly where the stream stopped.
//
// Driven by tests/command_center/test_graphql_ws_client.py: it reports on stdout, one JSON
// object a line, and waits for "go" on stdin before each reconnection (so that the test
// can commit events while the client is away), and for "done" to finish.
import readline from 'node:readline';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const base = process.env.BATT_URL;
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const permits = [];
let released = 0;
let finish;
const finished = new Promise((resolve) => { finish = resolve; });
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'go') {
    released += 1;
    permits.shift()?.();
  } else if (line.trim() === 'done') {
    finish();
  }
});
let waited = 0;
function permission() {
  waited += 1;
  return waited <= released ? Promise.resolve() : new Promise((resolve) => permits.push(resolve));
}

async function graphql(query, variables, token) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json',
               ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const SESSION = 'accessToken accessTokenExpiresAt refreshToken errors { code }';
let session = (await graphql(
  `mutation($i: LoginInput!) { login(input: $i) { ${SESSION} } }`,
  { i: { identifier: process.env.BATT_PHONE, password: process.env.BATT_PASSWORD } },
)).login;

async function freshToken() {
  if (Date.parse(session.accessTokenExpiresAt) - Date.now() < 1500) {
    session = (await graphql(
      `mutation($t: String!) { refreshToken(refreshToken: $t) { ${SESSION} } }`,
      { t: session.refreshToken },
    )).refreshToken;
    say({ kind: 'refreshed', errors: session.errors });
  }
  return session.accessToken;
}

const { latestEventCursor } = await graphql('{ latestEventCursor }', {}, session.accessToken);
const payload = {
  query: `subscription($after: String) {
    commandCenterEvents(after: $after) { cursor type case { ticketNumber } } }`,
  variables: { after: latestEventCursor },
};

const client = createClient({
  url: `${base.replace(/^http/, 'ws')}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: async () => ({ Authorization: `Bearer ${await freshToken()}` }),
  retryAttempts: 10,
  shouldRetry: () => true,
  retryWait: async () => {
    say({ kind: 'waiting' });
    await permission();
  },
  on: {
    connected: () => say({ kind: 'connected' }),
    closed: (event) => say({ kind: 'closed', code: event.code, reason: event.reason }),
  },
});

client.subscribe(payload, {
  next: ({ data, errors }) => {
    if (errors) {
      say({ kind: 'error', errors });
      return;
    }
    const event = data.commandCenterEvents;
    payload.variables.after = event.cursor; // resubscribe from here after a reconnect
    say({ kind: 'event', cursor: event.cursor, type: event.type,
          ticket: event.case.ticketNumber });
  },
  error: (error) => say({ kind: 'fatal', error: String(error?.reason ?? error?.message ?? error) }),
  complete: () => say({ kind: 'complete' }),
});

await finished;
await client.dispose();
say({ kind: 'bye' });
process.exit(0);
