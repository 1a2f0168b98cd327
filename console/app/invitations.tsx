import type { MyInvitationRow } from "@/lib/invitations";

/** The home page's list of open invitations to the user's confirmed address, each with an Accept button. */
export function MyInvitations({ list }: { list: MyInvitationRow[] }) {
  if (list.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="invitations">
      <h2 id="invitations">Invitations for you</h2>
      <ul className="invitations">
        {list.map((i) => (
          <li key={i.id} data-invitation={i.project_slug}>
            <form className="inline" method="post" action="/invitations/accept">
              <input type="hidden" name="invitation_id" value={i.id} />
              <span>
                {i.project_name} <span className="muted mono">{i.project_slug}</span> as <strong>{i.role}</strong>{" "}
                <span className="muted">(until {i.expires_at.toISOString().slice(0, 10)})</span>
              </span>
              <button className="primary" type="submit" aria-label={`Accept the invitation to ${i.project_slug}`}>Accept</button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}
