// webhooks: where GitHub and GitLab post repository events. A push queues the
// workflows its branch triggers; a deleted branch cancels its runs; a pull or
// merge request opened, updated or reopened queues the workflows its trigger
// names, for the request's own ref; a closed (or merged) one cancels its runs.
//
//   POST /webhooks   GitHub: X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256
//                    GitLab: X-Gitlab-Event, X-Gitlab-Event-UUID, X-Gitlab-Token
//
// No bearer token: the provider signs each delivery with the project's webhook
// secret (odooops project connect), and ops.verify_webhook checks the
// signature inside the database, so the secret never reaches this function.
// In one transaction as service_role: ops.verify_webhook (the project whose
// repository and secret match), then ops.record_push,
// ops.record_branch_deleted or ops.record_pull_request, idempotent on the
// delivery id: a redelivery returns the same runs and creates nothing.
//
// A request's head repository is passed as the payload names it when it is
// another repository than the base (a fork: GitHub head.repo.id differs from
// base.repo.id, GitLab source_project_id from target_project_id), else as the
// base repository; the database decides trust by comparing it with the
// project's repository (a fork's runs are untrusted: no secrets).
//
// Answers: 200 {"event", "project_id", "branch", "runs": [...]} for a push or
// a deleted branch; 200 {"event": "pull_request", "project_id", "number",
// "action", "ref", "runs": [...]} for a request; 200 {"pong": true,
// "project_id"} for ping; 202 {"ignored": "<reason>"} for an event that
// starts nothing (tags, create, request actions such as labeled, unknown
// events); 401 missing or wrong signature;
// 404 no project has the repository; 413 a body over MAX_BODY_BYTES; 400 a
// payload without what the event needs (naming the field).

import { rpc, transaction, type Tx } from "../_shared/db.ts";
import { errorResponse, HttpError, json, parseJson, readBytes } from "../_shared/http.ts";
import type { Sql } from "../_shared/db.ts";
import { sharedClient } from "../_shared/db.ts";

/** GitHub caps a webhook payload at 25 MB; a larger body is not a delivery. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

const NULL_SHA = /^0+$/;

export interface WebhookOptions {
  /** Database client; by default the shared one from SUPABASE_DB_URL. */
  sql?: Sql;
  maxBodyBytes?: number;
}

type Provider = "github" | "gitlab";

// deno-lint-ignore no-explicit-any
type Payload = Record<string, any>;

interface Delivery {
  provider: Provider;
  event: string;
  deliveryId: string | null;
  signature: string | null;
  body: Uint8Array;
  payload: Payload;
}

/** An event that starts nothing: 202 with the reason, once the signature is checked. */
class Ignored {
  constructor(readonly reason: string) {}
}

type RequestAction = "opened" | "updated" | "reopened" | "closed";

type Action =
  | { kind: "push"; branch: string; head: string; pushedBy: string | null }
  | { kind: "deleted"; branch: string }
  | {
    kind: "request";
    number: number;
    action: RequestAction;
    head: string;
    /** null for the base repository itself, "gone" when a fork was deleted. */
    fork: string | "gone" | null;
    base: string;
    openedBy: string | null;
  }
  | { kind: "ping" }
  | Ignored;

function field(payload: Payload, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split(".")) {
    value = value !== null && typeof value === "object"
      ? (value as Record<string, unknown>)[key]
      : undefined;
  }
  return value;
}

function text(payload: Payload, path: string): string {
  const value = field(payload, path);
  if (typeof value !== "string" || value === "") {
    throw new HttpError(400, "bad_request", `${path} must be a non-empty string`, { field: path });
  }
  return value;
}

function optionalText(payload: Payload, path: string): string | null {
  const value = field(payload, path);
  return typeof value === "string" && value !== "" ? value.slice(0, 200) : null;
}

/** The repository URL of the payload: any form; the database normalizes it. */
function repository(d: Delivery): string {
  const candidates = d.provider === "github"
    ? ["repository.clone_url", "repository.html_url", "repository.ssh_url"]
    : ["project.git_http_url", "project.web_url", "repository.git_http_url", "repository.homepage"];
  for (const path of candidates) {
    const value = field(d.payload, path);
    if (typeof value === "string" && value !== "") return value;
  }
  throw new HttpError(400, "bad_request", `${candidates[0]} must be the repository's URL`, {
    field: candidates[0],
  });
}

function number(payload: Payload, path: string): number {
  const value = field(payload, path);
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 2147483647) {
    throw new HttpError(400, "bad_request", `${path} must be a positive integer`, { field: path });
  }
  return value;
}

const GITHUB_REQUEST_ACTIONS: Record<string, RequestAction> = {
  opened: "opened",
  synchronize: "updated",
  reopened: "reopened",
  closed: "closed",
};

function githubRequest(p: Payload): Action {
  const action = GITHUB_REQUEST_ACTIONS[String(field(p, "action"))];
  if (!action) {
    return new Ignored(
      `pull_request ${String(field(p, "action")).slice(0, 40)} starts nothing: ` +
        "only opened, synchronize, reopened and closed do",
    );
  }
  const headRepo = field(p, "pull_request.head.repo");
  const sameRepository = headRepo !== null && typeof headRepo === "object" &&
    field(p, "pull_request.head.repo.id") === field(p, "pull_request.base.repo.id");
  return {
    kind: "request",
    number: number(p, "number"),
    action,
    head: text(p, "pull_request.head.sha"),
    fork: sameRepository ? null : (optionalText(p, "pull_request.head.repo.clone_url") ?? "gone"),
    base: text(p, "pull_request.base.ref"),
    openedBy: optionalText(p, "sender.login") ?? optionalText(p, "pull_request.user.login"),
  };
}

const GITLAB_REQUEST_ACTIONS: Record<string, RequestAction> = {
  open: "opened",
  update: "updated",
  reopen: "reopened",
  close: "closed",
  merge: "closed",
};

function gitlabRequest(p: Payload): Action {
  const raw = String(field(p, "object_attributes.action"));
  const action = GITLAB_REQUEST_ACTIONS[raw];
  if (!action) {
    return new Ignored(
      `Merge Request Hook ${raw.slice(0, 40)} starts nothing: ` +
        "only open, update (with new commits), reopen, close and merge do",
    );
  }
  // GitLab sends update for a title or label change too; new commits carry oldrev.
  if (action === "updated" && !optionalText(p, "object_attributes.oldrev")) {
    return new Ignored("Merge Request Hook update without new commits (no oldrev) starts nothing");
  }
  const source = field(p, "object_attributes.source_project_id");
  const target = field(p, "object_attributes.target_project_id");
  return {
    kind: "request",
    number: number(p, "object_attributes.iid"),
    action,
    head: text(p, "object_attributes.last_commit.id"),
    fork: source !== undefined && source === target
      ? null
      : (optionalText(p, "object_attributes.source.git_http_url") ?? "gone"),
    base: text(p, "object_attributes.target_branch"),
    openedBy: optionalText(p, "user.username") ?? optionalText(p, "user.name"),
  };
}

function branchOf(ref: string): string | null {
  return ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null;
}

function githubAction(d: Delivery): Action | null {
  const p = d.payload;
  switch (d.event) {
    case "ping":
      return { kind: "ping" };
    case "push": {
      const ref = text(p, "ref");
      const branch = branchOf(ref);
      if (branch === null) return new Ignored(`push of ${ref.slice(0, 100)}: not a branch`);
      if (p.deleted === true) return { kind: "deleted", branch };
      const head = text(p, "after");
      if (NULL_SHA.test(head)) return { kind: "deleted", branch };
      return { kind: "push", branch, head, pushedBy: optionalText(p, "pusher.name") };
    }
    case "delete": {
      if (field(p, "ref_type") !== "branch") {
        return new Ignored(
          `delete of a ${String(field(p, "ref_type")).slice(0, 20)}: not a branch`,
        );
      }
      return { kind: "deleted", branch: text(p, "ref") };
    }
    case "create":
      return new Ignored(
        "create starts nothing: the push event of the new branch queues its workflows",
      );
    case "pull_request":
      return githubRequest(p);
    default:
      return null;
  }
}

function gitlabAction(d: Delivery): Action | null {
  const p = d.payload;
  switch (d.event) {
    case "Push Hook": {
      const ref = text(p, "ref");
      const branch = branchOf(ref);
      if (branch === null) return new Ignored(`push of ${ref.slice(0, 100)}: not a branch`);
      const head = text(p, "after");
      if (NULL_SHA.test(head)) return { kind: "deleted", branch };
      return {
        kind: "push",
        branch,
        head,
        pushedBy: optionalText(p, "user_username") ?? optionalText(p, "user_name"),
      };
    }
    case "Merge Request Hook":
      return gitlabRequest(p);
    default:
      return null;
  }
}

function deliveryId(d: Delivery): string {
  if (d.deliveryId) return d.deliveryId;
  const header = d.provider === "github" ? "X-GitHub-Delivery" : "X-Gitlab-Event-UUID";
  throw new HttpError(400, "bad_request", `the ${header} header is required`, { field: header });
}

async function handle(tx: Tx, d: Delivery, action: Action): Promise<[number, unknown]> {
  // The raw bytes as sent (bytea): the signature covers them, not a re-serialization.
  const [verified] = await tx`
    select ops.verify_webhook(
      p_repository => ${repository(d)}, p_provider => ${d.provider},
      p_signature => ${d.signature ?? ""}, p_body => ${d.body}
    ) as project_id
  `;
  const projectId = verified!.project_id as string;
  if (action instanceof Ignored) return [202, { ignored: action.reason, project_id: projectId }];
  if (action.kind === "ping") return [200, { pong: true, project_id: projectId }];
  if (action.kind === "request") {
    const requestRuns = await rpc(tx, "record_pull_request", {
      p_project_id: projectId,
      p_provider: d.provider,
      p_number: action.number,
      p_action: action.action,
      p_head_commit: action.head,
      // null: the head repository is gone (a deleted fork), which is untrusted.
      p_head_repository: (action.fork === null
        ? repository(d)
        : action.fork === "gone"
        ? null
        : action.fork) as string,
      p_base_branch: action.base,
      p_opened_by: action.openedBy as string,
      p_delivery_id: deliveryId(d),
    });
    return [200, {
      event: "pull_request",
      project_id: projectId,
      number: action.number,
      action: action.action,
      ref: d.provider === "github"
        ? `refs/pull/${action.number}/head`
        : `refs/merge-requests/${action.number}/head`,
      runs: requestRuns.map((r) => ({
        id: r.id,
        workflow_id: r.workflow_id,
        status: r.status,
        commit_sha: r.commit_sha,
        untrusted: r.untrusted,
      })),
    }];
  }
  const runs = action.kind === "push"
    ? await rpc(tx, "record_push", {
      p_project_id: projectId,
      p_branch: action.branch,
      p_head_commit: action.head,
      // null when the payload names nobody: ops.record_push accepts it.
      p_pushed_by: action.pushedBy as string,
      p_delivery_id: deliveryId(d),
    })
    : await rpc(tx, "record_branch_deleted", {
      p_project_id: projectId,
      p_branch: action.branch,
      p_delivery_id: deliveryId(d),
    });
  return [200, {
    event: action.kind === "push" ? "push" : "branch_deleted",
    project_id: projectId,
    branch: action.branch,
    runs: runs.map((r) => ({
      id: r.id,
      workflow_id: r.workflow_id,
      status: r.status,
      commit_sha: r.commit_sha,
    })),
  }];
}

export function createWebhookHandler(
  options: WebhookOptions = {},
): (req: Request) => Promise<Response> {
  const maxBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  return async (req: Request): Promise<Response> => {
    const requestId = crypto.randomUUID();
    const headers = { "x-request-id": requestId };
    try {
      if (req.method !== "POST") {
        return json(405, {
          error: { status: 405, code: "method_not_allowed", message: "use POST" },
          request_id: requestId,
        }, { allow: "POST", ...headers });
      }
      const h = req.headers;
      const github = h.get("x-github-event");
      const gitlab = h.get("x-gitlab-event");
      if (!github && !gitlab) {
        throw new HttpError(
          400,
          "bad_request",
          "neither X-GitHub-Event nor X-Gitlab-Event is set: not a webhook delivery",
        );
      }
      const provider: Provider = github ? "github" : "gitlab";
      const signature = provider === "github"
        ? h.get("x-hub-signature-256")
        : h.get("x-gitlab-token");
      const body = await readBytes(req, maxBytes);
      if (!signature) {
        const header = provider === "github" ? "X-Hub-Signature-256" : "X-Gitlab-Token";
        throw new HttpError(401, "unauthorized", `the ${header} header is required`, {
          hint: "Set the webhook's secret to the one odooops project connect printed.",
        });
      }
      const payload = parseJson(body);
      if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
        throw new HttpError(400, "bad_request", "the body must be a JSON object", {
          field: "body",
        });
      }
      const d: Delivery = {
        provider,
        event: (github ?? gitlab)!.slice(0, 100),
        deliveryId: h.get(provider === "github" ? "x-github-delivery" : "x-gitlab-event-uuid"),
        signature,
        body,
        payload: payload as Payload,
      };
      const action = provider === "github" ? githubAction(d) : gitlabAction(d);
      // An event this function does not handle: nothing to verify nor write.
      if (action === null) {
        return json(202, { ignored: `${provider} event ${d.event}: not handled` }, headers);
      }
      const [status, result] = await transaction(
        options.sql ?? sharedClient(),
        (tx) => handle(tx, d, action),
      );
      return json(status, result, headers);
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}

/** The deployed handler: database from SUPABASE_DB_URL. */
export const handler: (req: Request) => Promise<Response> = createWebhookHandler();

if (import.meta.main) {
  Deno.serve(handler);
}
