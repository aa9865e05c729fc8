/**
 * The seeds' partner story end to end with the generated TypeScript client, against the packaged server (embedded
 * PostgreSQL), as PartnerStoryIT tells it with the Java client: an admin makes an access level with only the fields
 * the partner needs, a non-employee user on it and a key for that user issued to a partner; the partner's client is
 * refused until the key holds people:read, then lists people page by page and sees only the granted fields; a
 * management operation and another API type stay refused; with write permissions named on the key it creates a person
 * with Idempotency-Key and On-Behalf-Of (a retry replays, another body is 422) and updates it with If-Match (a stale
 * ETag is 412, a field without edit right 403, an unknown On-Behalf-Of 400); the admin disables the key: 401.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Middleware } from "openapi-fetch";
import { allPages, keyClient, plainClient, type KeysmithClient } from "../src/index.js";

const jar = process.env.KEYSMITH_JAR ?? resolve(import.meta.dirname, "../../../../backend/target/keysmith.jar");
let server: ChildProcess;
let base = "";
let log = "";

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => ok(typeof address === "object" && address ? address.port : 0));
    });
  });
}

before(async () => {
  const data = mkdtempSync(join(tmpdir(), "keysmith-ts-client-"));
  log = join(data, "server.log");
  const out = openSync(log, "w");
  const port = await freePort();
  server = spawn("java", ["-Xmx256m", "-jar", jar], {
    env: {
      ...process.env,
      KEYSMITH_DATA_DIR: data,
      KEYSMITH_HTTP_PORT: String(port),
      KEYSMITH_MANAGEMENT_PORT: String(await freePort()),
      KEYSMITH_HTTP_HOST: "127.0.0.1",
    },
    stdio: ["ignore", out, out],
  });
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1200; i++) {
    assert.equal(server.exitCode, null, `server exited: ${readFileSync(log, "utf8")}`);
    try {
      if ((await fetch(`${base}/health/ready`)).status === 200) return;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("server did not become ready");
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
});

/** The admin SPA's way: the session cookie it was given, and the CSRF token on every request. */
function session(): { client: KeysmithClient; csrf: (token: string) => void } {
  let cookie = "";
  let csrf = "";
  const jarMiddleware: Middleware = {
    onRequest({ request }) {
      if (cookie) request.headers.set("Cookie", cookie);
      if (csrf) request.headers.set("X-CSRF-Token", csrf);
      return request;
    },
    onResponse({ response }) {
      const set = response.headers.get("set-cookie");
      const match = set?.match(/ks_session=([^;]+)/);
      if (match) cookie = `ks_session=${match[1]}`;
      return response;
    },
  };
  return { client: plainClient(base, jarMiddleware), csrf: (t) => (csrf = t) };
}

test("a partner integrates through the generated TypeScript client", { timeout: 180_000 }, async () => {
  const { client: admin, csrf } = session();
  const me = await admin.POST("/api/v1/signup", {
    body: {
      organizationName: "Acme Payroll TS Story",
      firstName: "Ada",
      lastName: "Admin",
      email: "ada@ts-story.test",
      password: "a long admin password",
    },
  });
  assert.equal(me.response.status, 201, JSON.stringify(me.error));
  assert.ok(me.data && "csrfToken" in me.data);
  csrf(me.data.csrfToken);

  for (const [firstName, lastName, department] of [
    ["Grace", "Hopper", "Engineering"],
    ["Ada", "Lovelace", "Research"],
    ["Alan", "Turing", "Research"],
  ]) {
    const created = await admin.POST("/api/v1/people", {
      body: { firstName, lastName, department, salary: 150000, nationalId: `${lastName}-1`, homeAddress: "1 Way" },
    });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
  }

  const level = await admin.POST("/api/v1/access-levels", {
    body: {
      name: "Payroll partner",
      recordScope: "ALL",
      fieldRights: { firstName: "EDIT", lastName: "EDIT", salary: "VIEW" },
      permissions: ["people:read", "people:create", "people:update", "keys:create-own"],
    },
  });
  assert.ok(level.data, JSON.stringify(level.error));
  const integration = await admin.POST("/api/v1/users", {
    body: {
      email: "payroll-bot@ts-story.test",
      firstName: "Payroll",
      lastName: "Integration",
      kind: "NON_EMPLOYEE",
      accessLevelId: level.data.id,
    },
  });
  assert.ok(integration.data, JSON.stringify(integration.error));
  const partners = await admin.GET("/api/v1/partners");
  const payroll = partners.data?.items.find((p) => p.name === "Payroll provider");
  assert.ok(payroll, "the seeded partner directory lists the payroll provider");

  const created = await admin.POST("/api/v1/api-keys", {
    body: {
      name: "Payroll sync",
      apiType: "PEOPLE",
      partnerId: payroll.id,
      ownerUserId: integration.data.user.id,
      permissionMode: "SCOPED",
      permissions: [],
    },
  });
  assert.ok(created.data, JSON.stringify(created.error));
  const secret = created.data.secret;
  assert.match(secret, /^ksk_/);

  // created granting nothing: the partner's client is refused, with a typed problem
  const bearer = keyClient({ baseUrl: base, key: secret });
  const refused = await bearer.GET("/api/v1/people", { params: { query: { limit: 2 } } });
  assert.equal(refused.response.status, 403);
  assert.equal(refused.error?.status, 403);

  const saved = await admin.PATCH("/api/v1/api-keys/{keyId}", {
    params: { path: { keyId: created.data.key.id } },
    body: {
      permissions: ["people:read"],
      fieldRights: { firstName: "VIEW", lastName: "VIEW", salary: "VIEW" },
    },
  });
  assert.equal(saved.response.status, 200, JSON.stringify(saved.error));

  // HTTP Basic (the key as the user name), page by page
  const basic = keyClient({ baseUrl: base, key: secret, scheme: "basic" });
  const first = await basic.GET("/api/v1/people", { params: { query: { limit: 2 } } });
  assert.equal(first.response.status, 200, JSON.stringify(first.error));
  assert.ok(first.data);
  assert.deepEqual(
    first.data.items.map((p) => p.lastName),
    ["Hopper", "Lovelace"],
  );
  assert.ok(first.data.next, "a first page of 2 of 3 has a next cursor");
  assert.match(first.response.headers.get("RateLimit") ?? "", /^"key";r=\d+;t=\d+$/);
  assert.match(first.response.headers.get("RateLimit-Policy") ?? "", /^"key";q=600;w=60$/);
  const second = await basic.GET("/api/v1/people", { params: { query: { limit: 2, after: first.data.next } } });
  assert.deepEqual(
    second.data?.items.map((p) => p.lastName),
    ["Turing"],
  );
  assert.equal(second.data?.next, undefined);

  // field filtering: only the granted fields, on every record of every page
  const everyone = [];
  for await (const person of allPages(async (after) => {
    const page = await bearer.GET("/api/v1/people", { params: { query: { limit: 2, after } } });
    assert.ok(page.data, JSON.stringify(page.error));
    return page.data;
  })) {
    everyone.push(person);
  }
  assert.deepEqual(
    everyone.map((p) => p.lastName),
    ["Hopper", "Lovelace", "Turing"],
  );
  for (const person of everyone) {
    assert.deepEqual(Object.keys(person).sort(), ["firstName", "id", "lastName", "salary"]);
  }
  const one = await bearer.GET("/api/v1/people/{personId}", { params: { path: { personId: everyone[0].id } } });
  assert.equal(one.data?.salary, 150000);
  assert.equal(one.data?.nationalId, undefined);

  // refused operations: another API type (403), a management operation (keys never reach them: 401)
  const audit = await bearer.GET("/api/v1/audit-events");
  assert.equal(audit.response.status, 403);
  assert.match(audit.error?.type ?? "", /outside-api-type/);
  const users = await bearer.GET("/api/v1/users");
  assert.equal(users.response.status, 401);
  const write = await bearer.POST("/api/v1/api-keys", {
    body: { name: "escalate", apiType: "PEOPLE", permissionMode: "INHERIT" },
  });
  assert.equal(write.response.status, 401);

  // the partner writes too: the admin names the write permissions and edit rights on the key (writes are opt-in)
  const writes = await admin.PATCH("/api/v1/api-keys/{keyId}", {
    params: { path: { keyId: created.data.key.id } },
    body: {
      permissions: ["people:read", "people:create", "people:update"],
      fieldRights: { firstName: "EDIT", lastName: "EDIT", salary: "VIEW" },
    },
  });
  assert.equal(writes.response.status, 200, JSON.stringify(writes.error));
  const recruiter = me.data.user.id;
  const idempotencyKey = crypto.randomUUID();
  const hire = { firstName: "Mary", lastName: "Jackson" };
  const headers = { "Idempotency-Key": idempotencyKey, "On-Behalf-Of": recruiter };
  const hired = await basic.POST("/api/v1/people", { params: { header: headers }, body: hire });
  assert.equal(hired.response.status, 201, JSON.stringify(hired.error));
  assert.equal(hired.response.headers.get("Idempotent-Replayed"), null);
  // a retry (a timeout, say) replays the first answer: one record
  const retried = await basic.POST("/api/v1/people", { params: { header: headers }, body: hire });
  assert.equal(retried.response.status, 201);
  assert.equal(retried.response.headers.get("Idempotent-Replayed"), "true");
  assert.equal(retried.data?.id, hired.data?.id);
  const reused = await basic.POST("/api/v1/people", {
    params: { header: headers },
    body: { firstName: "Someone", lastName: "Else" },
  });
  assert.equal(reused.response.status, 422);
  const listed = await basic.GET("/api/v1/people");
  assert.deepEqual(
    listed.data?.items.map((p) => p.lastName),
    ["Hopper", "Jackson", "Lovelace", "Turing"],
  );
  const etag = hired.response.headers.get("ETag") ?? "";
  assert.ok(etag);
  const renamed = await basic.PATCH("/api/v1/people/{personId}", {
    params: { path: { personId: hired.data!.id }, header: { "If-Match": etag, "On-Behalf-Of": recruiter } },
    body: { firstName: "Mary W." },
  });
  assert.equal(renamed.response.status, 200, JSON.stringify(renamed.error));
  assert.equal(renamed.data?.firstName, "Mary W.");
  const stale = await basic.PATCH("/api/v1/people/{personId}", {
    params: { path: { personId: hired.data!.id }, header: { "If-Match": etag, "On-Behalf-Of": recruiter } },
    body: { lastName: "Johnson" },
  });
  assert.equal(stale.response.status, 412);
  const noEditRight = await basic.PATCH("/api/v1/people/{personId}", {
    params: { path: { personId: hired.data!.id }, header: { "On-Behalf-Of": recruiter } },
    body: { salary: 1 },
  });
  assert.equal(noEditRight.response.status, 403);
  assert.equal(noEditRight.error?.field, "salary");
  const stranger = await basic.PATCH("/api/v1/people/{personId}", {
    params: { path: { personId: hired.data!.id }, header: { "On-Behalf-Of": crypto.randomUUID() } },
    body: { firstName: "Nobody" },
  });
  assert.equal(stranger.response.status, 400);
  assert.equal(stranger.error?.field, "On-Behalf-Of");

  const disabled = await admin.POST("/api/v1/api-keys/{keyId}/disable", {
    params: { path: { keyId: created.data.key.id } },
  });
  assert.equal(disabled.response.status, 200, JSON.stringify(disabled.error));
  const after = await basic.GET("/api/v1/people");
  assert.equal(after.response.status, 401);
  assert.match(after.error?.type ?? "", /problems\/unauthenticated/);
  assert.ok(!JSON.stringify(after.error).includes(secret));
});
