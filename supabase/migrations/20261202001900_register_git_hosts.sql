-- Git hosts of the installation: GitHub Enterprise Server and self-managed
-- GitLab next to github.com and gitlab.com.
--
-- Where a project's commit statuses go was read from its repository URL alone:
-- a host whose name starts with github. or gitlab., sent to the one API that
-- `odooops notify` was started with. A self-managed GitLab at
-- git.example.com reported nothing, and one notifier could not serve
-- github.com and a GitHub Enterprise at once.
--
-- * ops.git_hosts: host name -> provider (github or gitlab) and the base URL
--   of its API. Installation-wide: written by service_role only, through
--   ops.set_git_host / ops.delete_git_host (`odooops git-host add|remove|list`);
--   no other API role reads it.
-- * ops.commit_status_repository(url): a registered host's provider first,
--   then, as before, a host whose name starts with github. or gitlab. Now
--   stable (it reads a table) and security definer, because it stays granted
--   to authenticated, who may not read ops.git_hosts; it returns only the
--   provider and the repository path of the URL it is given.
-- * ops.commit_status_outbox.api_url: the registered host's API base URL,
--   set when the row is written (trigger commit_status_outbox_010_set_api_url);
--   null means the notifier's default for the provider (--github-api-url,
--   --gitlab-api-url). A row keeps the URL it was written with.
--
-- Objects: table ops.git_hosts (RLS on, service_role only); functions
-- ops_private.git_host_problem, ops.set_git_host, ops.delete_git_host,
-- ops_private.commit_status_outbox_set_api_url and its trigger; column
-- ops.commit_status_outbox.api_url; ops.commit_status_repository restated.
-- Locks: ACCESS EXCLUSIVE on ops.commit_status_outbox for the new column
-- (nullable, no default: no rewrite) and its trigger; lock_timeout 5s.
-- Roll back: drop trigger commit_status_outbox_010_set_api_url, column
--   api_url, the functions above and table ops.git_hosts; restate
--   ops.commit_status_repository from 20261202001500.
--
-- SQLSTATEs:
--   22023 invalid parameter, naming it, the value quoted short
--   P0002 ops.delete_git_host: no such host

set local lock_timeout = '5s';

-- The hosts ------------------------------------------------------------------------

-- Why a host, provider and API URL cannot be registered, or null. The one rule
-- for the RPC (which names the parameter) and the table (which names the
-- column): a lower-case DNS name; github or gitlab; an https URL without user,
-- query or fragment (http only to this machine, for tests and tunnels).
create or replace function ops_private.git_host_problem(p_host text, p_provider text, p_api_url text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when p_host is null or length(p_host) > 253
      or p_host !~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$'
      then format('host must be a lower-case DNS name with a dot, up to 253 characters, got %s',
        ops_private.quote_short(p_host))
    when p_provider is null or p_provider not in ('github', 'gitlab')
      then format('provider must be github or gitlab, got %s', ops_private.quote_short(p_provider))
    when p_api_url is null or length(p_api_url) > 2048
      or p_api_url !~ '^https?://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9._~%!$&''()*+,;=:@/-]*)?$'
      or p_api_url ~ '/$'
      then format('api_url must be an http(s) URL without user, query, fragment or trailing slash, '
        'up to 2048 characters, got %s', ops_private.quote_short(p_api_url))
    when p_api_url !~ '^https://'
      and p_api_url !~ '^http://(localhost|127\.[0-9.]+|\[::1\])(:[0-9]+)?(/|$)'
      then format('api_url must be https (http only to this machine): the provider token is sent to it, got %s',
        ops_private.quote_short(p_api_url))
  end
$$;

comment on function ops_private.git_host_problem(text, text, text) is
'Why (host, provider, api_url) cannot be registered in ops.git_hosts, or null: host a lower-case DNS name, provider '
'github or gitlab, api_url https (http only to localhost) without user, query, fragment or trailing slash.';

revoke execute on function ops_private.git_host_problem(text, text, text) from public, anon, authenticated;
grant execute on function ops_private.git_host_problem(text, text, text) to service_role;

create table ops.git_hosts (
  host text not null,
  provider text not null,
  api_url text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint git_hosts_pkey primary key (host),
  constraint git_hosts_is_valid check (ops_private.git_host_problem(host, provider, api_url) is null)
);

comment on table ops.git_hosts is
'The installation''s git hosts besides github.com and gitlab.com (GitHub Enterprise Server, self-managed GitLab): '
'where commit statuses of repositories on each go. service_role only (odooops git-host).';
comment on column ops.git_hosts.host is 'The host name in repository URLs, lower case (git.example.com).';
comment on column ops.git_hosts.provider is 'github or gitlab: which API the host speaks.';
comment on column ops.git_hosts.api_url is
'The API''s base URL: https://HOST/api/v3 for GitHub Enterprise Server, https://HOST for GitLab.';

alter table ops.git_hosts enable row level security;

revoke all on ops.git_hosts from anon, authenticated, service_role;
grant select, insert, update, delete on ops.git_hosts to service_role;

create or replace function ops.set_git_host(p_host text, p_provider text, p_api_url text)
returns ops.git_hosts
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_host text := lower(btrim(p_host));
  v_api_url text := regexp_replace(btrim(p_api_url), '/+$', '');
  v_problem text := ops_private.git_host_problem(v_host, p_provider, v_api_url);
  v_row ops.git_hosts;
begin
  if v_problem is not null then
    raise exception 'p_%', v_problem using errcode = '22023',
      hint = 'GitHub Enterprise Server: --provider github --api-url https://HOST/api/v3; '
             'GitLab: --provider gitlab --api-url https://HOST.';
  end if;
  insert into ops.git_hosts as h (host, provider, api_url)
  values (v_host, p_provider, v_api_url)
  on conflict (host) do update
  set provider = excluded.provider, api_url = excluded.api_url, updated_at = now()
  returning h.* into v_row;
  return v_row;
end
$$;

comment on function ops.set_git_host(text, text, text) is
'Registers (or changes) a git host of the installation: its repositories'' commit statuses go to p_provider''s API '
'at p_api_url (host lower-cased, trailing slashes dropped). Rows already in the outbox keep their URL. service_role '
'only. SQLSTATEs: 22023 invalid parameter.';

revoke execute on function ops.set_git_host(text, text, text) from public, anon, authenticated;
grant execute on function ops.set_git_host(text, text, text) to service_role;

create or replace function ops.delete_git_host(p_host text)
returns ops.git_hosts
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_row ops.git_hosts;
begin
  if p_host is null or length(p_host) > 253 then
    raise exception 'p_host must be a host name up to 253 characters, got %', ops_private.quote_short(p_host)
      using errcode = '22023';
  end if;
  delete from ops.git_hosts as h where h.host = lower(btrim(p_host)) returning h.* into v_row;
  if v_row.host is null then
    raise exception 'no git host %', ops_private.quote_short(p_host)
      using errcode = 'P0002', hint = 'odooops git-host list shows the registered hosts.';
  end if;
  return v_row;
end
$$;

comment on function ops.delete_git_host(text) is
'Forgets a registered git host: its repositories report to github./gitlab.-named hosts'' default APIs again, or '
'nowhere. Returns the removed row. service_role only. SQLSTATEs: 22023 invalid parameter, P0002 no such host.';

revoke execute on function ops.delete_git_host(text) from public, anon, authenticated;
grant execute on function ops.delete_git_host(text) to service_role;

-- Where a repository reports ----------------------------------------------------------

-- SECURITY DEFINER: granted to authenticated, who may not read ops.git_hosts; it
-- answers only for the URL given, with the provider and the URL's own path.
create or replace function ops.commit_status_repository(p_repository_url text, out provider text, out repository text)
language sql
stable
security definer
set search_path = ''
as $$
  -- https://host/path(.git), ssh://[user@]host[:port]/path(.git), git@host:path(.git).
  with parts as (
    select lower(m[1]) as host, m[2] as path
    from (select coalesce(
      regexp_match(p_repository_url, '^https://(?:[^@/]+@)?([^/:]+)(?::[0-9]+)?/(.+?)(?:\.git)?/?$'),
      regexp_match(p_repository_url, '^ssh://(?:[^@/]+@)?([^/:]+)(?::[0-9]+)?/(.+?)(?:\.git)?/?$'),
      regexp_match(p_repository_url, '^[A-Za-z0-9._-]+@([^:/]+):/?(.+?)(?:\.git)?/?$')
    ) as m) as x
  ),

  kinds as (
    select
      p.path,
      coalesce(
        (select h.provider from ops.git_hosts as h where h.host = p.host),
        case when p.host ~ '^github\.' then 'github' when p.host ~ '^gitlab\.' then 'gitlab' end
      ) as provider
    from parts as p
  )

  select
    case
      when k.provider = 'github' and k.path ~ '^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$' then 'github'
      when k.provider = 'gitlab' and k.path ~ '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+$' then 'gitlab'
    end,
    case
      when k.provider = 'github' and k.path ~ '^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$' then k.path
      when k.provider = 'gitlab' and k.path ~ '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+$' then k.path
    end
  from kinds as k
$$;

comment on function ops.commit_status_repository(text) is
'The git provider (github or gitlab) and repository (owner/name, or the GitLab project path) that commit statuses '
'of a repository URL go to: a host registered in ops.git_hosts, else a host whose name starts with github. or '
'gitlab.; both null for any other URL.';

revoke execute on function ops.commit_status_repository(text) from public, anon;
grant execute on function ops.commit_status_repository(text) to authenticated, service_role;

-- The outbox row carries its API -------------------------------------------------------

alter table ops.commit_status_outbox add column api_url text;
alter table ops.commit_status_outbox add constraint commit_status_outbox_api_url_is_bounded
check (length(api_url) <= 2048);

comment on column ops.commit_status_outbox.api_url is
'The API base URL of the repository''s host when it is registered in ops.git_hosts (set when the row is written); '
'null: the notifier''s default for the provider.';

create or replace function ops_private.commit_status_outbox_set_api_url()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.api_url := (
    select h.api_url
    from ops.projects as p
    inner join ops.git_hosts as h on h.host = split_part(ops.normalize_repository_url(p.repository_url), '/', 1)
    where p.id = new.project_id and h.provider = new.provider
  );
  return new;
end
$$;

comment on function ops_private.commit_status_outbox_set_api_url() is
'Trigger function: sets ops.commit_status_outbox.api_url from the project''s registered git host (null when none).';

revoke execute on function ops_private.commit_status_outbox_set_api_url() from public, anon, authenticated;

create trigger commit_status_outbox_010_set_api_url
before insert on ops.commit_status_outbox
for each row execute function ops_private.commit_status_outbox_set_api_url();
