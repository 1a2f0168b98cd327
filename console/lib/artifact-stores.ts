// Where the console reads artifact bytes from, and only from there. Every
// store is named in the environment; a recorded storage_url outside all of
// them is never fetched, whatever the database says.
//
// ODOOOPS_CONSOLE_ARTIFACT_ROOTS: comma-separated file:/// URLs of the
//   directories the workers write (odooops worker --artifacts-dir).
// ODOOOPS_CONSOLE_S3_STORES: comma-separated s3://bucket/prefix/ URLs of the
//   buckets (and prefixes) the workers upload to (ODOOOPS_S3_BUCKET,
//   ODOOOPS_S3_PREFIX). Read with ODOOOPS_CONSOLE_S3_ENDPOINT (default AWS's
//   https://s3.<region>.amazonaws.com; MinIO, Ceph or R2 give theirs), the
//   region of ODOOOPS_CONSOLE_S3_REGION or AWS_REGION (default us-east-1), and
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN): a key
//   that may read those objects and nothing else.
import { realpath } from "node:fs/promises";
import { sep } from "node:path";
import { fileURLToPath } from "node:url";
import { AwsClient } from "aws4fetch";

function list(name: string, scheme: string): string[] {
  return (process.env[name] ?? "").split(",").map((r) => r.trim()).filter((r) => r.startsWith(scheme));
}

/** Is the real path `path` inside one of the file:// roots (symlinks of the roots followed too)? */
export async function insideFileRoots(path: string): Promise<boolean> {
  for (const root of list("ODOOOPS_CONSOLE_ARTIFACT_ROOTS", "file:///").map((r) => fileURLToPath(r))) {
    try {
      const r = await realpath(root);
      if (path.startsWith(r.endsWith(sep) ? r : r + sep)) return true;
    } catch { /* a root that does not exist holds nothing */ }
  }
  return false;
}

export type S3Object = { bucket: string; key: string };

/** The bucket and key of an s3:// URL, when it lies inside one of the configured S3 stores; else null.
 * A key with an empty, `.` or `..` segment is refused: URL handling would resolve it elsewhere. */
export function s3ObjectInStores(url: string): S3Object | null {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.{1,1024})$/.exec(url);
  if (!m) return null;
  const [, bucket, key] = m;
  if (key.split("/").some((s) => s === "" || s === "." || s === "..")) return null;
  for (const store of list("ODOOOPS_CONSOLE_S3_STORES", "s3://")) {
    const prefix = store.endsWith("/") ? store : store + "/";
    if (url.startsWith(prefix)) return { bucket, key };
  }
  return null;
}

function s3Endpoint(region: string): string {
  return (process.env.ODOOOPS_CONSOLE_S3_ENDPOINT ?? `https://s3.${region}.amazonaws.com`).replace(/\/+$/, "");
}

/** GET the object (path-style, signed with SigV4). The caller checks the answer's status and length. */
export async function fetchS3Object(o: S3Object): Promise<Response> {
  const region = process.env.ODOOOPS_CONSOLE_S3_REGION ?? process.env.AWS_REGION ?? "us-east-1";
  const client = new AwsClient({
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "",
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "",
    sessionToken: process.env.AWS_SESSION_TOKEN,
    service: "s3",
    region,
  });
  const path = [o.bucket, ...o.key.split("/")].map(encodeURIComponent).join("/");
  return client.fetch(`${s3Endpoint(region)}/${path}`, { method: "GET", signal: AbortSignal.timeout(30_000) });
}
