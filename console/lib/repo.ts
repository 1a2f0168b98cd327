// Links into a project's repository, for the hosts whose URL shapes are known
// (GitHub and GitLab, https or ssh clone URLs); null for any other host.

function parse(repo: string): { host: "github.com" | "gitlab.com"; path: string } | null {
  const m = /^(?:https:\/\/|ssh:\/\/git@|git@)(github\.com|gitlab\.com)[/:](.+?)(?:\.git)?\/?$/.exec(repo);
  return m ? { host: m[1] as "github.com" | "gitlab.com", path: m[2] } : null;
}

/** The commit page: .../commit/<sha> (GitHub) or .../-/commit/<sha> (GitLab). */
export function commitUrl(repo: string, sha: string): string | null {
  const r = parse(repo);
  if (!r) return null;
  return r.host === "github.com" ? `https://github.com/${r.path}/commit/${sha}` : `https://gitlab.com/${r.path}/-/commit/${sha}`;
}

/** A line of a file at a commit: .../blob/<sha>/<file>#L<line> (GitHub) or .../-/blob/<sha>/<file>#L<line> (GitLab). */
export function blobUrl(repo: string, sha: string, file: string, line: number): string | null {
  const r = parse(repo);
  if (!r) return null;
  const f = file.split("/").map(encodeURIComponent).join("/");
  return r.host === "github.com"
    ? `https://github.com/${r.path}/blob/${sha}/${f}#L${line}`
    : `https://gitlab.com/${r.path}/-/blob/${sha}/${f}#L${line}`;
}
