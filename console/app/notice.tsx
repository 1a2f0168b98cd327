/** The outcome of the last form post, passed back in the query string. */
export function Notice({ sp }: { sp: Record<string, string | undefined> }) {
  if (sp.error) return <p className="notice error" role="alert">{sp.error}</p>;
  if (sp.ok) return <p className="notice ok" role="status">{sp.ok}</p>;
  return null;
}
