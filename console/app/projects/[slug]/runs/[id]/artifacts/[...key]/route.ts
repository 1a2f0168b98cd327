// Downloads an artifact of a run the user may see. The row is read under
// row-level security like everything else; the bytes come only from inside
// the artifact stores the console is given (lib/artifact-stores.ts): a file://
// URL that resolves (symlinks followed) inside ODOOOPS_CONSOLE_ARTIFACT_ROOTS,
// or an s3:// URL inside ODOOOPS_CONSOLE_S3_STORES, read with the console's own
// key. Either way the size must be the one the database recorded, and the
// recorded sha256 goes along in x-artifact-sha256. https stores are not served.
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { fetchS3Object, insideFileRoots, s3ObjectInStores } from "@/lib/artifact-stores";
import { currentUser, isUuid } from "@/lib/auth";
import { asUser } from "@/lib/db";

type Artifact = { storageUrl: string; contentType: string; sizeBytes: bigint; sha256: string };

function download(a: Artifact, name: string, body: ReadableStream): Response {
  return new Response(body, {
    headers: {
      "content-type": a.contentType,
      "content-length": String(a.sizeBytes),
      "content-disposition": `attachment; filename="${name.replace(/[^\w.-]/g, "_")}"`,
      "x-content-type-options": "nosniff",
      "x-artifact-sha256": a.sha256,
      "cache-control": "private, no-store",
    },
  });
}

async function fromFile(a: Artifact, name: string): Promise<Response> {
  let path: string;
  try {
    path = await realpath(fileURLToPath(a.storageUrl));
  } catch {
    return new Response("the artifact's file is gone", { status: 410 });
  }
  if (!(await insideFileRoots(path))) {
    return new Response("the artifact is outside the artifact stores the console serves", { status: 403 });
  }
  const st = await stat(path);
  if (!st.isFile() || BigInt(st.size) !== a.sizeBytes) {
    return new Response("the artifact's file does not match its record", { status: 409 });
  }
  return download(a, name, Readable.toWeb(createReadStream(path)) as ReadableStream);
}

/** Drops an answer's body without waiting for the store (an unread body would hold the connection). */
function discard(answer: Response): void {
  answer.body?.cancel().catch(() => undefined);
}

async function fromS3(a: Artifact, name: string): Promise<Response> {
  const object = s3ObjectInStores(a.storageUrl);
  if (!object) return new Response("the artifact is outside the artifact stores the console serves", { status: 403 });
  let answer: Response;
  try {
    answer = await fetchS3Object(object);
  } catch {
    return new Response("the artifact store did not answer", { status: 502 });
  }
  if (answer.status === 404) {
    discard(answer);
    return new Response("the artifact's object is gone", { status: 410 });
  }
  if (!answer.ok || !answer.body) {
    discard(answer);
    return new Response(`the artifact store answered ${answer.status}`, { status: 502 });
  }
  if (answer.headers.get("content-length") !== String(a.sizeBytes)) {
    discard(answer);
    return new Response("the artifact's object does not match its record", { status: 409 });
  }
  return download(a, name, answer.body);
}

export async function GET(_req: Request, { params }: { params: Promise<{ slug: string; id: string; key: string[] }> }) {
  const { slug, id, key } = await params;
  const user = await currentUser();
  if (!user) return new Response("not signed in", { status: 401 });
  if (!isUuid(id)) return new Response("Not Found", { status: 404 });
  const artifactKey = key.map(decodeURIComponent).join("/").slice(0, 1000);
  const a = await asUser(user, (tx) => tx.runArtifact.findFirst({
    where: { runId: id, artifactKey, run: { project: { slug } } },
    select: { storageUrl: true, contentType: true, sizeBytes: true, sha256: true },
  }));
  if (!a) return new Response("Not Found", { status: 404 });
  const name = artifactKey.split("/").pop() ?? "artifact";
  if (a.storageUrl.startsWith("file:///")) return fromFile(a, name);
  if (a.storageUrl.startsWith("s3://")) return fromS3(a, name);
  return new Response("this artifact store is not served by the console", { status: 501 });
}
