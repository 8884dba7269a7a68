// A test of an API that takes Okta access tokens, written in JavaScript,
// that drives mock-okta over HTTP only: its control API (/__mock/...) mints
// tokens and switches a fault on. Node's standard library only (node:test,
// node:assert, fetch, node:child_process): nothing to install.
//
// The story, against stage 10 of the workbook (GET /api/messages takes an
// access token of the custom authorization server with messages:read):
// 1. a token minted for the service client reads the messages (200);
// 2. a token minted under a key the mock never publishes is refused (401
//    invalid_token, "a key Okta does not publish");
// 3. the fault access-token-expired makes the token endpoint issue tokens
//    that expired an hour ago: the same client_credentials request that
//    read the messages before now gets a 401 (ExpiredSignature), and reads
//    them again once the fault is off. The fault changes what Okta issues,
//    so the API's answer changes with no change to the test's request.
//
// It starts both programs on free ports, from the binaries it is given:
//
//     cargo build -p mock-okta -p stage-10
//     node --test mock-okta/examples/js/
//
// (the binaries default to target/debug/ of this repository, or of
// CARGO_TARGET_DIR; MOCK_OKTA_BIN and STAGE_BIN name others). Or against a
// mock and a stage 10 already running, the stage configured with
// OKTA_BASE_URL = the mock's custom authorization server:
//
//     MOCK_OKTA_URL=http://localhost:8081 APP_URL=http://localhost:8080 \
//         node --test mock-okta/examples/js/

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

// The mock's built-in service client (client_credentials, messages:read).
const SERVICE_CLIENT_ID = "0oa-workbook-service";
const SERVICE_CLIENT_SECRET = "workbook-secret-for-the-local-mock-only";

const repository = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const targetDir = process.env.CARGO_TARGET_DIR ?? join(repository, "target");
const started = [];
let mockUrl = process.env.MOCK_OKTA_URL?.replace(/\/$/, "");
let appUrl = process.env.APP_URL?.replace(/\/$/, "");

/** One call to the mock's control API: { status, body } (JSON). */
async function control(method, path, body) {
  const answer = await fetch(`${mockUrl}/__mock${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: answer.status, body: await answer.json() };
}

/** A token minted over HTTP (POST /__mock/tokens): its JWT. */
async function mint(request) {
  const { status, body } = await control("POST", "/tokens", request);
  assert.equal(status, 200, JSON.stringify(body));
  return body.access_token.token;
}

/** A token from the token endpoint, as a service asks for one. */
async function clientCredentials() {
  const answer = await fetch(`${mockUrl}/oauth2/default/v1/token`, {
    method: "POST",
    headers: {
      authorization: "Basic " + btoa(`${SERVICE_CLIENT_ID}:${SERVICE_CLIENT_SECRET}`),
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "messages:read" }),
  });
  const body = await answer.json();
  assert.equal(answer.status, 200, JSON.stringify(body));
  return body.access_token;
}

/** The API's answer to a bearer token: { status, challenge, body }. */
async function messages(token) {
  const answer = await fetch(`${appUrl}/api/messages`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: answer.status,
    challenge: answer.headers.get("www-authenticate") ?? "",
    body: await answer.json(),
  };
}

/** A free port of 127.0.0.1. */
function freePort() {
  return new Promise((found, failed) => {
    const server = createServer().once("error", failed);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => found(port));
    });
  });
}

/** Waits until `ready()` is true, or fails after `seconds`. */
async function waitUntil(ready, what, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    await new Promise((wake) => setTimeout(wake, 100));
  }
  throw new Error(`${what} did not come up within ${seconds} s`);
}

/** Starts a binary, quiet; stopped after the tests. */
function start(binary, args, env) {
  if (!existsSync(binary)) {
    throw new Error(
      `no ${binary}: build it (cargo build -p mock-okta -p stage-10), or set MOCK_OKTA_BIN and STAGE_BIN`,
    );
  }
  const child = spawn(binary, args, { env: { ...process.env, ...env }, stdio: "ignore" });
  started.push(child);
  return child;
}

before(async () => {
  if (mockUrl && appUrl) return;
  const mockBin = process.env.MOCK_OKTA_BIN ?? join(targetDir, "debug", "mock-okta");
  const stageBin = process.env.STAGE_BIN ?? join(targetDir, "debug", "stage-10");
  const [mockPort, appPort] = [await freePort(), await freePort()];
  mockUrl = `http://localhost:${mockPort}`;
  appUrl = `http://localhost:${appPort}`;
  start(mockBin, ["--port", String(mockPort)], {});
  await waitUntil(async () => (await fetch(`${mockUrl}/__mock/clock`)).ok, "mock-okta");
  start(stageBin, [], {
    APP_URL: appUrl,
    OKTA_BASE_URL: `${mockUrl}/oauth2/default`,
    RUST_LOG: "warn",
  });
  // The stage sends a login to Okta once it has read Okta's discovery
  // document (503 until then): then its API knows where Okta's keys are.
  const redirects = async () =>
    [302, 303, 307].includes((await fetch(`${appUrl}/login/okta`, { redirect: "manual" })).status);
  await waitUntil(redirects, stageBin);
});

after(() => {
  for (const child of started) child.kill();
});

test("a minted token reads the messages, and one under an unpublished key is refused", async () => {
  const token = await mint({ subject: SERVICE_CLIENT_ID, scopes: ["messages:read"] });
  const read = await messages(token);
  assert.equal(read.status, 200, JSON.stringify(read.body));
  assert.equal(read.body.messages[0].to, SERVICE_CLIENT_ID);

  const forged = await mint({ subject: SERVICE_CLIENT_ID, scopes: ["messages:read"], key: "unpublished" });
  const refused = await messages(forged);
  assert.equal(refused.status, 401, JSON.stringify(refused.body));
  assert.equal(refused.body.error, "invalid_token");
  assert.match(refused.challenge, /^Bearer error="invalid_token"/);
  assert.match(refused.body.error_description, /a key Okta does not publish/);
});

test("a bad mint request is told what to send", async () => {
  const { status, body } = await control("POST", "/tokens", { scopes: "messages:read" });
  assert.equal(status, 400);
  assert.match(body.error, /^"subject": expected a string/);
});

test("with access-token-expired on, Okta's new tokens are refused until it is off", async () => {
  assert.equal((await messages(await clientCredentials())).status, 200);

  assert.equal((await control("POST", "/faults", { fault: "access-token-expired" })).status, 200);
  try {
    const expired = await messages(await clientCredentials());
    assert.equal(expired.status, 401, JSON.stringify(expired.body));
    assert.match(expired.body.error_description, /ExpiredSignature/);
  } finally {
    assert.equal((await control("DELETE", "/faults/access-token-expired")).status, 200);
  }
  assert.equal((await messages(await clientCredentials())).status, 200);
});
