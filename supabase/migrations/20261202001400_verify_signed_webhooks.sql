-- Signed webhooks from GitHub and GitLab: the secret of each project's webhook,
-- and the check of a delivery's signature, both inside the database.
--
-- * ops_private.webhook_secrets: one secret per (project, provider), github or
--   gitlab, with the project's repository normalized (repository_key, indexed;
--   kept in step with ops.projects.repository_url by the trigger
--   projects_sync_webhook_repository). No API role has any privilege on it: a
--   value goes in through ops.set_webhook_secret (admins and owners,
--   service_role) and is never read back by anyone but ops.verify_webhook.
-- * ops.set_webhook_secret(slug, provider, secret, rotate): sets the secret of
--   a project's webhook; one already set is replaced only with p_rotate (the
--   old one stops working at once), else OP013. Returns the provider and
--   when it was set, never the secret.
-- * ops.verify_webhook(repository, provider, signature, body): for the
--   webhooks Edge Function (service_role only). Finds the projects whose
--   repository_url is the payload's repository (any URL form: https clone URL,
--   ssh://, git@host:path, html_url; see ops.normalize_repository_url), and
--   returns the id of the one whose secret signs the body (only connected
--   projects are candidates: a repository no project is connected to is
--   P0002, found by index, never by scanning ops.projects): GitHub's
--   X-Hub-Signature-256 (HMAC-SHA256 of the raw body, pgcrypto) or GitLab's
--   X-Gitlab-Token (the secret itself), compared in constant time
--   (ops_private.same_bytes). The secret never leaves the database, so no API
--   role and no Edge Function holds it.
-- * ops.normalize_repository_url(url): host/path, lower case, without scheme,
--   user, port, trailing slash or .git.
--
-- Objects: table ops_private.webhook_secrets (RLS on, no grant; index
-- webhook_secrets_repository_key_provider_idx); functions
-- ops.normalize_repository_url(text), ops_private.same_bytes(bytea, bytea),
-- ops_private.set_webhook_secret, ops.set_webhook_secret, ops.verify_webhook,
-- trigger function ops_private.projects_sync_webhook_repository() and its
-- trigger on ops.projects.
-- Locks: SHARE ROW EXCLUSIVE on ops.projects while its trigger is created
-- (no rewrite, no scan); lock_timeout 5s.
-- Roll back: drop trigger projects_sync_webhook_repository on ops.projects;
--   drop functions ops.verify_webhook, ops.set_webhook_secret,
--   ops_private.set_webhook_secret, ops_private.projects_sync_webhook_repository,
--   ops_private.same_bytes, ops.normalize_repository_url; drop table
--   ops_private.webhook_secrets (every webhook then has to be connected again).
--
-- SQLSTATEs:
--   22023 invalid parameter, naming it (a secret or signature is never quoted)
--   28000 a missing, malformed or wrong signature (the Edge Function answers 401)
--   P0002 no project is connected to this repository for the provider, or
--         unknown project (set_webhook_secret)
--   42501 the caller may not manage the project's secrets (below admin)
--   OP013 the project already has a webhook secret for the provider and
--         p_rotate is false

set local lock_timeout = '5s';

-- Repository URLs ------------------------------------------------------------------

create or replace function ops.normalize_repository_url(p_url text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select nullif(
    regexp_replace(
      regexp_replace(
        regexp_replace(
          lower(btrim(p_url)),
          -- scheme://[user@]host[:port]/path, or user@host:path (scp form)
          '^(?:[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([^/:]+)(?::[0-9]*)?/|[^@/:]+@([^/:]+):/?)',
          '\1\2/'
        ),
        '/+$', ''
      ),
      '\.git$', ''
    ),
    ''
  )
$$;

comment on function ops.normalize_repository_url(text) is
'A git remote as host/path, lower case, without scheme, user, port, trailing slash or .git: '
'https://github.com/Acme/Addons.git, git@github.com:acme/addons and ssh://git@github.com:22/acme/addons/ all give '
'github.com/acme/addons. Null for null or an empty string.';

revoke execute on function ops.normalize_repository_url(text) from public, anon;
grant execute on function ops.normalize_repository_url(text) to authenticated, service_role;

-- Secrets --------------------------------------------------------------------------

create table ops_private.webhook_secrets (
  project_id uuid not null,
  provider text not null,
  repository_key text not null,
  secret text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint webhook_secrets_pkey primary key (project_id, provider),
  constraint webhook_secrets_project_id_fkey foreign key (project_id) references ops.projects (id) on delete cascade,
  constraint webhook_secrets_provider_is_known check (provider in ('github', 'gitlab')),
  -- GitHub and GitLab take secrets of any length; 16 to 256 bytes, no spaces.
  constraint webhook_secrets_secret_is_bounded check (secret ~ '^[!-~]+$' and length(secret) between 16 and 256)
);

comment on table ops_private.webhook_secrets is
'The secret of each project''s webhook, per provider (github, gitlab). No API role has any privilege on it: set '
'with ops.set_webhook_secret, read only by ops.verify_webhook.';
comment on column ops_private.webhook_secrets.provider is 'github or gitlab.';
comment on column ops_private.webhook_secrets.repository_key is
'ops.normalize_repository_url of the project''s repository_url, kept in step by trigger '
'projects_sync_webhook_repository: how a delivery finds its projects.';
comment on column ops_private.webhook_secrets.secret is
'The webhook secret: GitHub''s HMAC key, GitLab''s secret token. 16 to 256 printable ASCII characters.';
comment on column ops_private.webhook_secrets.updated_at is 'When it was last set (rotated).';

create index webhook_secrets_repository_key_provider_idx on ops_private.webhook_secrets (repository_key, provider);

alter table ops_private.webhook_secrets enable row level security;
revoke all on ops_private.webhook_secrets from public, anon, authenticated, service_role;

-- SECURITY DEFINER: whoever may change a project's repository_url must not
-- need a privilege on ops_private.webhook_secrets.
create or replace function ops_private.projects_sync_webhook_repository()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update ops_private.webhook_secrets as s
  set repository_key = ops.normalize_repository_url(new.repository_url)
  where s.project_id = new.id;
  return null;
end
$$;

comment on function ops_private.projects_sync_webhook_repository() is
'Trigger function: keeps ops_private.webhook_secrets.repository_key equal to the normalized repository_url of '
'its project when that changes.';

revoke execute on function ops_private.projects_sync_webhook_repository() from public, anon, authenticated;

create trigger projects_sync_webhook_repository
after update of repository_url on ops.projects
for each row execute function ops_private.projects_sync_webhook_repository();

-- Constant-time comparison ------------------------------------------------------------

create or replace function ops_private.same_bytes(p_a bytea, p_b bytea)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_diff integer := 0;
begin
  if p_a is null or p_b is null or length(p_a) <> length(p_b) then
    return false;
  end if;
  -- Every byte is compared, whatever the first difference: the time does
  -- not tell how much of a guess was right.
  for i in 0 .. length(p_a) - 1 loop
    v_diff := v_diff | (get_byte(p_a, i) # get_byte(p_b, i));
  end loop;
  return v_diff = 0;
end
$$;

comment on function ops_private.same_bytes(bytea, bytea) is
'True when two byte strings are equal, comparing every byte (constant time for a given length); false for null '
'or different lengths. For digests and signatures, whose length is public.';

revoke execute on function ops_private.same_bytes(bytea, bytea) from public, anon, authenticated, service_role;

-- set_webhook_secret --------------------------------------------------------------------

-- SECURITY DEFINER: it writes ops_private.webhook_secrets, which no API role
-- may touch. It checks the caller itself (ops_private.secret_admin_project_id).
create or replace function ops_private.set_webhook_secret(
  p_project_slug text,
  p_provider text,
  p_secret text,
  p_rotate boolean
)
returns table (provider text, created_at timestamptz, updated_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_project_id uuid;
  v_row ops_private.webhook_secrets;
begin
  if p_provider is null or p_provider not in ('github', 'gitlab') then
    raise exception 'p_provider must be github or gitlab, got %', ops_private.quote_short(p_provider)
      using errcode = '22023';
  end if;
  -- Never quote the secret: error messages reach clients and server logs.
  if p_secret is null or p_secret !~ '^[!-~]+$' or length(p_secret) not between 16 and 256 then
    raise exception 'p_secret must be 16 to 256 printable ASCII characters without spaces, got %',
      case when p_secret is null then 'null' else length(p_secret) || ' characters' end
      using errcode = '22023', hint = 'odooops project connect makes one: 64 hex digits.';
  end if;
  if p_rotate is null then
    raise exception 'p_rotate must be true or false, got null' using errcode = '22023';
  end if;
  v_project_id := ops_private.secret_admin_project_id(p_project_slug, 'set_webhook_secret');

  insert into ops_private.webhook_secrets as s (project_id, provider, repository_key, secret)
  select v_project_id, p_provider, ops.normalize_repository_url(p.repository_url), p_secret
  from ops.projects as p where p.id = v_project_id
  on conflict on constraint webhook_secrets_pkey do update
  set secret = excluded.secret, repository_key = excluded.repository_key, updated_at = now()
  where p_rotate
  returning s.* into v_row;
  if v_row.project_id is null then
    raise exception 'project % already has a % webhook secret', p_project_slug, p_provider
      using errcode = 'OP013',
      hint = 'Rotate it (odooops project connect --rotate): the old secret stops working at once.';
  end if;
  return query select v_row.provider, v_row.created_at, v_row.updated_at;
end
$$;

comment on function ops_private.set_webhook_secret(text, text, text, boolean) is
'Implementation of ops.set_webhook_secret (SECURITY DEFINER, checks the caller''s project role itself).';

revoke execute on function ops_private.set_webhook_secret(text, text, text, boolean) from public, anon;
grant execute on function ops_private.set_webhook_secret(text, text, text, boolean) to authenticated, service_role;

create or replace function ops.set_webhook_secret(
  p_project_slug text,
  p_provider text,
  p_secret text,
  p_rotate boolean default false
)
returns table (provider text, created_at timestamptz, updated_at timestamptz)
language sql
volatile
set search_path = ''
as $$
  select * from ops_private.set_webhook_secret(p_project_slug, p_provider, p_secret, p_rotate)
$$;

comment on function ops.set_webhook_secret(text, text, text, boolean) is
'Sets the secret of a project''s webhook for a provider (github or gitlab) and returns when it was set, never the '
'secret. A secret already set is replaced only with p_rotate true (the old one stops working at once). Callable '
'by admins and owners of the project, and service_role. '
'SQLSTATEs: 22023 invalid parameter (the secret is never quoted), P0002 unknown project, 42501 below admin, '
'OP013 a secret is already set and p_rotate is false.';

revoke execute on function ops.set_webhook_secret(text, text, text, boolean) from public, anon, authenticated;
grant execute on function ops.set_webhook_secret(text, text, text, boolean) to authenticated, service_role;

-- verify_webhook ---------------------------------------------------------------------------

-- SECURITY DEFINER: it reads ops_private.webhook_secrets, which no API role
-- may read. It returns a project id, never a secret.
create or replace function ops.verify_webhook(
  p_repository text,
  p_provider text,
  p_signature text,
  p_body bytea
)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_repository text;
  v_expected bytea;
  v_given bytea;
  v_candidate record;
  v_candidates integer := 0;
  v_match uuid;
begin
  if p_provider is null or p_provider not in ('github', 'gitlab') then
    raise exception 'p_provider must be github or gitlab, got %', ops_private.quote_short(p_provider)
      using errcode = '22023';
  end if;
  if p_repository is null or length(p_repository) > 2048 then
    raise exception 'p_repository must be a repository URL of at most 2048 characters, got %',
      ops_private.quote_short(p_repository)
      using errcode = '22023';
  end if;
  v_repository := ops.normalize_repository_url(p_repository);
  if v_repository is null or v_repository !~ '^[^/]+/.+' then
    raise exception 'p_repository must be a repository URL (https, ssh or host:path), got %',
      ops_private.quote_short(p_repository)
      using errcode = '22023';
  end if;
  if p_body is null or length(p_body) > 26214400 then
    raise exception 'p_body must be at most 26214400 bytes (GitHub''s cap), got %',
      coalesce(length(p_body) || ' bytes', 'null')
      using errcode = '22023';
  end if;
  if p_signature is null or p_signature = '' then
    raise exception 'p_signature is missing: the delivery is not signed' using errcode = '28000',
      hint = 'Set the webhook''s secret to the one odooops project connect printed.';
  end if;
  if p_provider = 'github' then
    if p_signature !~ '^sha256=[0-9a-f]{64}$' then
      raise exception 'p_signature must be sha256= and 64 hex digits (X-Hub-Signature-256)' using errcode = '28000';
    end if;
    v_given := decode(substr(p_signature, 8), 'hex');
  else
    if length(p_signature) > 256 then
      raise exception 'p_signature must be at most 256 characters (X-Gitlab-Token)' using errcode = '28000';
    end if;
    -- Digests, so that neither the length nor a prefix of the token leaks.
    v_given := extensions.digest(p_signature, 'sha256');
  end if;

  -- Every project connected to the repository (several projects may build
  -- one repository, each with its own secret): the one whose secret signs it.
  for v_candidate in
    select s.project_id as id, s.secret from ops_private.webhook_secrets as s
    where s.repository_key = v_repository and s.provider = p_provider
    order by s.project_id
    limit 100
  loop
    v_candidates := v_candidates + 1;
    if p_provider = 'github' then
      v_expected := extensions.hmac(p_body, convert_to(v_candidate.secret, 'UTF8'), 'sha256');
    else
      v_expected := extensions.digest(v_candidate.secret, 'sha256');
    end if;
    if ops_private.same_bytes(v_given, v_expected) then
      v_match := v_candidate.id;
    end if;
  end loop;

  if v_candidates = 0 then
    raise exception 'repository % is not connected to any project for %', ops_private.quote_short(v_repository),
      p_provider
      using errcode = 'P0002',
      hint = 'Check the project''s repository_url (odooops project list), then run odooops project connect '
      || p_provider || ' <slug>.';
  end if;
  if v_match is null then
    raise exception 'the signature does not match the % webhook secret of repository %',
      p_provider, ops_private.quote_short(v_repository)
      using errcode = '28000',
      hint = 'Paste the secret odooops project connect printed into the webhook''s settings.';
  end if;
  return v_match;
end
$$;

comment on function ops.verify_webhook(text, text, text, bytea) is
'For the webhooks Edge Function: the id of the project whose repository is p_repository (any URL form) and whose '
'p_provider webhook secret signs p_body: github, p_signature is X-Hub-Signature-256 (sha256=HMAC-SHA256 of the raw '
'body, hex); gitlab, p_signature is X-Gitlab-Token. Compared in constant time; the secret is never returned. '
'p_body at most 26214400 bytes. service_role only. SQLSTATEs: 22023 invalid parameter, 28000 missing, malformed or '
'wrong signature, P0002 no project is connected to the repository for the provider.';

revoke execute on function ops.verify_webhook(text, text, text, bytea) from public, anon, authenticated;
grant execute on function ops.verify_webhook(text, text, text, bytea) to service_role;
