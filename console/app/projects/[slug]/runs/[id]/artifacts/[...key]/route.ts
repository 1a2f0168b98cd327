// Downloads an artifact of a run the user may see. The row is read under
// row-level security like everything else; the file is served only when its
// file:// URL resolves (symlinks followed) inside one of the artifact
// directories the console is given, ODOOOPS_CONSOLE_ARTIFACT_ROOTS
// (comma-separated file:/// URLs), and has the size the database recorded.
// S3 and https stores are not served yet.
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { sep } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { currentUser, isUuid } from "@/lib/auth";
import { asUser } from "@/lib/db";

function roots(): string[] {
  return (process.env.ODOOOPS_CONSOLE_ARTIFACT_ROOTS ?? "")
    .split(",").map((r) => r.trim()).filter((r) => r.startsWith("file:///"))
    .map((r) => fileURLToPath(r));
}

async function inside(path: string): Promise<boolean> {
  for (const root of roots()) {
    try {
      const r = await realpath(root);
      if (path.startsWith(r.endsWith(sep) ? r : r + sep)) return true;
    } catch { /* a root that does not exist holds nothing */ }
  }
  return false;
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
  if (!a.storageUrl.startsWith("file:///")) return new Response("this artifact store is not served by the console yet", { status: 501 });
  let path: string;
  try {
    path = await realpath(fileURLToPath(a.storageUrl));
  } catch {
    return new Response("the artifact's file is gone", { status: 410 });
  }
  if (!(await inside(path))) return new Response("the artifact is outside the artifact stores the console serves", { status: 403 });
  const st = await stat(path);
  if (!st.isFile() || BigInt(st.size) !== a.sizeBytes) return new Response("the artifact's file does not match its record", { status: 409 });
  const name = artifactKey.split("/").pop() ?? "artifact";
  return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
    headers: {
      "content-type": a.contentType,
      "content-length": String(st.size),
      "content-disposition": `attachment; filename="${name.replace(/[^\w.-]/g, "_")}"`,
      "x-content-type-options": "nosniff",
      "x-artifact-sha256": a.sha256,
      "cache-control": "private, no-store",
    },
  });
}
