export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type Database = {
  "ops": {
    Tables: {
      "agent_run_events": {
        Row: {
          "event_type": string;
          "external_id": string;
          "id": number;
          "occurred_at": string;
          "payload": NonNullable<Json>;
          "run_id": number;
        };
        ComputedFields: never;
        Insert: {
          "event_type": string;
          "external_id": string;
          "id"?: never;
          "occurred_at"?: string;
          "payload"?: NonNullable<Json>;
          "run_id": number;
        };
        Update: {
          "event_type"?: string;
          "external_id"?: string;
          "id"?: never;
          "occurred_at"?: string;
          "payload"?: NonNullable<Json>;
          "run_id"?: number;
        };
        Relationships: [
          {
            foreignKeyName: "agent_run_events_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "agent_runs";
            referencedColumns: ["id"];
          },
        ];
      };
      "agent_runs": {
        Row: {
          "agent_id": string;
          "created_at": string;
          "created_by": string | null;
          "external_id": string;
          "finished_at": string | null;
          "id": number;
          "metadata": NonNullable<Json>;
          "started_at": string;
          "status": string;
          "task": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "agent_id": string;
          "created_at"?: string;
          "created_by"?: string | null;
          "external_id": string;
          "finished_at"?: string | null;
          "id"?: never;
          "metadata"?: NonNullable<Json>;
          "started_at"?: string;
          "status"?: string;
          "task": string;
          "updated_at"?: string;
        };
        Update: {
          "agent_id"?: string;
          "created_at"?: string;
          "created_by"?: string | null;
          "external_id"?: string;
          "finished_at"?: string | null;
          "id"?: never;
          "metadata"?: NonNullable<Json>;
          "started_at"?: string;
          "status"?: string;
          "task"?: string;
          "updated_at"?: string;
        };
        Relationships: [];
      };
      "artifact_stores": {
        Row: {
          "created_at": string;
          "description": string | null;
          "id": string;
          "root_url": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "description"?: string | null;
          "id"?: string;
          "root_url": string;
        };
        Update: {
          "created_at"?: string;
          "description"?: string | null;
          "id"?: string;
          "root_url"?: string;
        };
        Relationships: [];
      };
      "branches": {
        Row: {
          "created_at": string;
          "deleted_at": string | null;
          "head_commit": string | null;
          "id": string;
          "last_push_at": string | null;
          "name": string;
          "project_id": string;
          "pushed_by": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "deleted_at"?: string | null;
          "head_commit"?: string | null;
          "id"?: string;
          "last_push_at"?: string | null;
          "name": string;
          "project_id": string;
          "pushed_by"?: string | null;
          "stage"?: Database["ops"]["Enums"]["run_stage"];
          "updated_at"?: string;
        };
        Update: {
          "created_at"?: string;
          "deleted_at"?: string | null;
          "head_commit"?: string | null;
          "id"?: string;
          "last_push_at"?: string | null;
          "name"?: string;
          "project_id"?: string;
          "pushed_by"?: string | null;
          "stage"?: Database["ops"]["Enums"]["run_stage"];
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "branches_project_id_fkey";
            columns: ["project_id"];
            isOneToOne: false;
            referencedRelation: "projects";
            referencedColumns: ["id"];
          },
        ];
      };
      "commit_status_outbox": {
        Row: {
          "api_url": string | null;
          "attempts": number;
          "commit_sha": string;
          "context": string;
          "created_at": string;
          "delivered_at": string | null;
          "description": string;
          "gave_up_at": string | null;
          "id": number;
          "last_error": string | null;
          "last_http_status": number | null;
          "lease_expires_at": string | null;
          "leased_by": string | null;
          "next_attempt_at": string;
          "project_id": string;
          "provider": string;
          "repository": string;
          "run_id": string;
          "run_status": Database["ops"]["Enums"]["run_status"];
          "state": string;
          "superseded_at": string | null;
        };
        ComputedFields: never;
        Insert: {
          "api_url"?: string | null;
          "attempts"?: number;
          "commit_sha": string;
          "context": string;
          "created_at"?: string;
          "delivered_at"?: string | null;
          "description": string;
          "gave_up_at"?: string | null;
          "id"?: never;
          "last_error"?: string | null;
          "last_http_status"?: number | null;
          "lease_expires_at"?: string | null;
          "leased_by"?: string | null;
          "next_attempt_at"?: string;
          "project_id": string;
          "provider": string;
          "repository": string;
          "run_id": string;
          "run_status": Database["ops"]["Enums"]["run_status"];
          "state": string;
          "superseded_at"?: string | null;
        };
        Update: {
          "api_url"?: string | null;
          "attempts"?: number;
          "commit_sha"?: string;
          "context"?: string;
          "created_at"?: string;
          "delivered_at"?: string | null;
          "description"?: string;
          "gave_up_at"?: string | null;
          "id"?: never;
          "last_error"?: string | null;
          "last_http_status"?: number | null;
          "lease_expires_at"?: string | null;
          "leased_by"?: string | null;
          "next_attempt_at"?: string;
          "project_id"?: string;
          "provider"?: string;
          "repository"?: string;
          "run_id"?: string;
          "run_status"?: Database["ops"]["Enums"]["run_status"];
          "state"?: string;
          "superseded_at"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "commit_status_outbox_run_id_project_id_fkey";
            columns: ["run_id", "project_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id", "project_id"];
          },
        ];
      };
      "git_hosts": {
        Row: {
          "api_url": string;
          "created_at": string;
          "host": string;
          "provider": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "api_url": string;
          "created_at"?: string;
          "host": string;
          "provider": string;
          "updated_at"?: string;
        };
        Update: {
          "api_url"?: string;
          "created_at"?: string;
          "host"?: string;
          "provider"?: string;
          "updated_at"?: string;
        };
        Relationships: [];
      };
      "installation_operators": {
        Row: {
          "created_at": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "user_id": string;
        };
        Update: {
          "created_at"?: string;
          "user_id"?: string;
        };
        Relationships: [];
      };
      "project_invitations": {
        Row: {
          "accepted_at": string | null;
          "accepted_by": string | null;
          "created_at": string;
          "email": string;
          "expires_at": string;
          "id": string;
          "invited_by": string | null;
          "project_id": string;
          "role": Database["ops"]["Enums"]["member_role"];
        };
        ComputedFields: never;
        Insert: {
          "accepted_at"?: string | null;
          "accepted_by"?: string | null;
          "created_at"?: string;
          "email": string;
          "expires_at"?: string;
          "id"?: string;
          "invited_by"?: string | null;
          "project_id": string;
          "role"?: Database["ops"]["Enums"]["member_role"];
        };
        Update: {
          "accepted_at"?: string | null;
          "accepted_by"?: string | null;
          "created_at"?: string;
          "email"?: string;
          "expires_at"?: string;
          "id"?: string;
          "invited_by"?: string | null;
          "project_id"?: string;
          "role"?: Database["ops"]["Enums"]["member_role"];
        };
        Relationships: [
          {
            foreignKeyName: "project_invitations_project_id_fkey";
            columns: ["project_id"];
            isOneToOne: false;
            referencedRelation: "projects";
            referencedColumns: ["id"];
          },
        ];
      };
      "project_memberships": {
        Row: {
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "project_id": string;
          "role": Database["ops"]["Enums"]["member_role"];
          "updated_at": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "project_id": string;
          "role"?: Database["ops"]["Enums"]["member_role"];
          "updated_at"?: string;
          "user_id": string;
        };
        Update: {
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "project_id"?: string;
          "role"?: Database["ops"]["Enums"]["member_role"];
          "updated_at"?: string;
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "project_memberships_project_id_fkey";
            columns: ["project_id"];
            isOneToOne: false;
            referencedRelation: "projects";
            referencedColumns: ["id"];
          },
        ];
      };
      "project_queues": {
        Row: {
          "has_queued": boolean;
          "id": number;
          "last_served_at": string;
          "project_id": string;
          "required_labels": (string)[];
        };
        ComputedFields: never;
        Insert: {
          "has_queued"?: boolean;
          "id"?: never;
          "last_served_at": string;
          "project_id": string;
          "required_labels": (string)[];
        };
        Update: {
          "has_queued"?: boolean;
          "id"?: never;
          "last_served_at"?: string;
          "project_id"?: string;
          "required_labels"?: (string)[];
        };
        Relationships: [
          {
            foreignKeyName: "project_queues_project_id_fkey";
            columns: ["project_id"];
            isOneToOne: false;
            referencedRelation: "projects";
            referencedColumns: ["id"];
          },
        ];
      };
      "project_schedules": {
        Row: {
          "max_running_runs": number | null;
          "project_id": string;
        };
        ComputedFields: never;
        Insert: {
          "max_running_runs"?: number | null;
          "project_id": string;
        };
        Update: {
          "max_running_runs"?: number | null;
          "project_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "project_schedules_project_id_fkey";
            columns: ["project_id"];
            isOneToOne: true;
            referencedRelation: "projects";
            referencedColumns: ["id"];
          },
        ];
      };
      "project_secrets": {
        Row: {
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "name": string;
          "project_id": string;
          "stage": Database["ops"]["Enums"]["run_stage"] | null;
          "updated_at": string;
          "updated_by": string | null;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "name": string;
          "project_id": string;
          "stage"?: Database["ops"]["Enums"]["run_stage"] | null;
          "updated_at"?: string;
          "updated_by"?: string | null;
        };
        Update: {
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "name"?: string;
          "project_id"?: string;
          "stage"?: Database["ops"]["Enums"]["run_stage"] | null;
          "updated_at"?: string;
          "updated_by"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "project_secrets_project_id_fkey";
            columns: ["project_id"];
            isOneToOne: false;
            referencedRelation: "projects";
            referencedColumns: ["id"];
          },
        ];
      };
      "projects": {
        Row: {
          "archived_at": string | null;
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "name": string;
          "odoo_series": string;
          "production_branch": string | null;
          "repository_url": string;
          "settings": NonNullable<Json>;
          "slug": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "archived_at"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "name": string;
          "odoo_series": string;
          "production_branch"?: string | null;
          "repository_url": string;
          "settings"?: NonNullable<Json>;
          "slug": string;
          "updated_at"?: string;
        };
        Update: {
          "archived_at"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "name"?: string;
          "odoo_series"?: string;
          "production_branch"?: string | null;
          "repository_url"?: string;
          "settings"?: NonNullable<Json>;
          "slug"?: string;
          "updated_at"?: string;
        };
        Relationships: [];
      };
      "run_artifacts": {
        Row: {
          "artifact_key": string;
          "content_type": string;
          "created_at": string;
          "id": string;
          "metadata": NonNullable<Json>;
          "project_id": string;
          "run_id": string;
          "sha256": string;
          "size_bytes": number;
          "storage_url": string;
        };
        ComputedFields: never;
        Insert: {
          "artifact_key": string;
          "content_type"?: string;
          "created_at"?: string;
          "id"?: string;
          "metadata"?: NonNullable<Json>;
          "project_id": string;
          "run_id": string;
          "sha256": string;
          "size_bytes": number;
          "storage_url": string;
        };
        Update: {
          "artifact_key"?: string;
          "content_type"?: string;
          "created_at"?: string;
          "id"?: string;
          "metadata"?: NonNullable<Json>;
          "project_id"?: string;
          "run_id"?: string;
          "sha256"?: string;
          "size_bytes"?: number;
          "storage_url"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "run_artifacts_run_id_project_id_fkey";
            columns: ["run_id", "project_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id", "project_id"];
          },
        ];
      };
      "run_events": {
        Row: {
          "actor": string;
          "created_at": string;
          "from_status": Database["ops"]["Enums"]["run_status"] | null;
          "id": number;
          "payload": NonNullable<Json>;
          "project_id": string;
          "reason": string | null;
          "run_id": string;
          "to_status": Database["ops"]["Enums"]["run_status"];
        };
        ComputedFields: never;
        Insert: {
          "actor": string;
          "created_at"?: string;
          "from_status"?: Database["ops"]["Enums"]["run_status"] | null;
          "id"?: never;
          "payload"?: NonNullable<Json>;
          "project_id": string;
          "reason"?: string | null;
          "run_id": string;
          "to_status": Database["ops"]["Enums"]["run_status"];
        };
        Update: {
          "actor"?: string;
          "created_at"?: string;
          "from_status"?: Database["ops"]["Enums"]["run_status"] | null;
          "id"?: never;
          "payload"?: NonNullable<Json>;
          "project_id"?: string;
          "reason"?: string | null;
          "run_id"?: string;
          "to_status"?: Database["ops"]["Enums"]["run_status"];
        };
        Relationships: [
          {
            foreignKeyName: "run_events_run_id_project_id_fkey";
            columns: ["run_id", "project_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id", "project_id"];
          },
        ];
      };
      "run_logs": {
        Row: {
          "id": number;
          "level": Database["ops"]["Enums"]["log_level"];
          "message": string;
          "metadata": NonNullable<Json>;
          "project_id": string;
          "run_id": string;
          "seq": number;
          "stream": string;
          "timestamp": string;
        };
        ComputedFields: never;
        Insert: {
          "id"?: never;
          "level"?: Database["ops"]["Enums"]["log_level"];
          "message": string;
          "metadata"?: NonNullable<Json>;
          "project_id": string;
          "run_id": string;
          "seq": number;
          "stream"?: string;
          "timestamp"?: string;
        };
        Update: {
          "id"?: never;
          "level"?: Database["ops"]["Enums"]["log_level"];
          "message"?: string;
          "metadata"?: NonNullable<Json>;
          "project_id"?: string;
          "run_id"?: string;
          "seq"?: number;
          "stream"?: string;
          "timestamp"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "run_logs_run_id_project_id_fkey";
            columns: ["run_id", "project_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id", "project_id"];
          },
        ];
      };
      "runs": {
        Row: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        };
        ComputedFields: never;
        Insert: {
          "attempt"?: number;
          "branch": string;
          "branch_id": string;
          "cancel_reason"?: string | null;
          "cancel_requested_at"?: string | null;
          "claimed_at"?: string | null;
          "commit_sha": string;
          "created_at"?: string;
          "created_by"?: string | null;
          "error_message"?: string | null;
          "exit_code"?: number | null;
          "finished_at"?: string | null;
          "heartbeat_at"?: string | null;
          "id"?: string;
          "idempotency_key"?: string | null;
          "last_log_seq"?: number;
          "lease_expires_at"?: string | null;
          "max_attempts"?: number;
          "params"?: NonNullable<Json>;
          "priority"?: number;
          "project_id": string;
          "pull_request_number"?: number | null;
          "push_delivery_id"?: string | null;
          "required_labels"?: (string)[];
          "run_after"?: string;
          "source_ref"?: string | null;
          "stage"?: Database["ops"]["Enums"]["run_stage"];
          "started_at"?: string | null;
          "status"?: Database["ops"]["Enums"]["run_status"];
          "untrusted"?: boolean;
          "updated_at"?: string;
          "worker_id"?: string | null;
          "workflow_id": string;
        };
        Update: {
          "attempt"?: number;
          "branch"?: string;
          "branch_id"?: string;
          "cancel_reason"?: string | null;
          "cancel_requested_at"?: string | null;
          "claimed_at"?: string | null;
          "commit_sha"?: string;
          "created_at"?: string;
          "created_by"?: string | null;
          "error_message"?: string | null;
          "exit_code"?: number | null;
          "finished_at"?: string | null;
          "heartbeat_at"?: string | null;
          "id"?: string;
          "idempotency_key"?: string | null;
          "last_log_seq"?: number;
          "lease_expires_at"?: string | null;
          "max_attempts"?: number;
          "params"?: NonNullable<Json>;
          "priority"?: number;
          "project_id"?: string;
          "pull_request_number"?: number | null;
          "push_delivery_id"?: string | null;
          "required_labels"?: (string)[];
          "run_after"?: string;
          "source_ref"?: string | null;
          "stage"?: Database["ops"]["Enums"]["run_stage"];
          "started_at"?: string | null;
          "status"?: Database["ops"]["Enums"]["run_status"];
          "untrusted"?: boolean;
          "updated_at"?: string;
          "worker_id"?: string | null;
          "workflow_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "runs_branch_id_project_id_fkey";
            columns: ["branch_id", "project_id"];
            isOneToOne: false;
            referencedRelation: "branches";
            referencedColumns: ["id", "project_id"];
          },
          {
            foreignKeyName: "runs_project_id_fkey";
            columns: ["project_id"];
            isOneToOne: false;
            referencedRelation: "projects";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_workflow_id_project_id_fkey";
            columns: ["workflow_id", "project_id"];
            isOneToOne: false;
            referencedRelation: "workflows";
            referencedColumns: ["id", "project_id"];
          },
        ];
      };
      "tools": {
        Row: {
          "created_at": string;
          "description": string | null;
          "digest": string | null;
          "enabled": boolean;
          "id": string;
          "image": string;
          "name": string;
          "odoo_series": string | null;
          "run_locally": boolean;
          "tag": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "description"?: string | null;
          "digest"?: string | null;
          "enabled"?: boolean;
          "id"?: string;
          "image": string;
          "name": string;
          "odoo_series"?: string | null;
          "run_locally"?: boolean;
          "tag"?: string;
          "updated_at"?: string;
        };
        Update: {
          "created_at"?: string;
          "description"?: string | null;
          "digest"?: string | null;
          "enabled"?: boolean;
          "id"?: string;
          "image"?: string;
          "name"?: string;
          "odoo_series"?: string | null;
          "run_locally"?: boolean;
          "tag"?: string;
          "updated_at"?: string;
        };
        Relationships: [];
      };
      "upgrade_advisories": {
        Row: {
          "area": string;
          "code": string;
          "created_at": string;
          "description": string;
          "detect_globs": (string)[];
          "detect_pattern": NonNullable<Json>;
          "detect_regex": string;
          "engine": string;
          "from_series": string;
          "id": string;
          "reference_url": string;
          "remediation": string;
          "severity": Database["ops"]["Enums"]["advisory_severity"];
          "title": string;
          "to_series": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "area": string;
          "code": string;
          "created_at"?: string;
          "description": string;
          "detect_globs": (string)[];
          "detect_pattern"?: NonNullable<Json>;
          "detect_regex": string;
          "engine"?: string;
          "from_series": string;
          "id"?: string;
          "reference_url": string;
          "remediation": string;
          "severity": Database["ops"]["Enums"]["advisory_severity"];
          "title": string;
          "to_series": string;
          "updated_at"?: string;
        };
        Update: {
          "area"?: string;
          "code"?: string;
          "created_at"?: string;
          "description"?: string;
          "detect_globs"?: (string)[];
          "detect_pattern"?: NonNullable<Json>;
          "detect_regex"?: string;
          "engine"?: string;
          "from_series"?: string;
          "id"?: string;
          "reference_url"?: string;
          "remediation"?: string;
          "severity"?: Database["ops"]["Enums"]["advisory_severity"];
          "title"?: string;
          "to_series"?: string;
          "updated_at"?: string;
        };
        Relationships: [];
      };
      "upgrade_findings": {
        Row: {
          "advisory_id": string | null;
          "code": string;
          "col": number;
          "created_at": string;
          "engine": string | null;
          "excerpt": string;
          "file": string;
          "id": number;
          "line": number;
          "message": string;
          "project_id": string;
          "run_id": string;
          "severity": string;
          "source": string;
          "to_series": string | null;
        };
        ComputedFields: never;
        Insert: {
          "advisory_id"?: string | null;
          "code": string;
          "col": number;
          "created_at"?: string;
          "engine"?: string | null;
          "excerpt"?: string;
          "file": string;
          "id"?: never;
          "line": number;
          "message"?: string;
          "project_id": string;
          "run_id": string;
          "severity": string;
          "source": string;
          "to_series"?: string | null;
        };
        Update: {
          "advisory_id"?: string | null;
          "code"?: string;
          "col"?: number;
          "created_at"?: string;
          "engine"?: string | null;
          "excerpt"?: string;
          "file"?: string;
          "id"?: never;
          "line"?: number;
          "message"?: string;
          "project_id"?: string;
          "run_id"?: string;
          "severity"?: string;
          "source"?: string;
          "to_series"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "upgrade_findings_advisory_id_fkey";
            columns: ["advisory_id"];
            isOneToOne: false;
            referencedRelation: "upgrade_advisories";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "upgrade_findings_run_id_project_id_fkey";
            columns: ["run_id", "project_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id", "project_id"];
          },
        ];
      };
      "webhook_deliveries": {
        Row: {
          "branch_id": string | null;
          "created_at": string;
          "delivery_id": string;
          "event": string;
          "head_commit": string | null;
          "id": string;
          "project_id": string;
          "run_ids": (string)[];
        };
        ComputedFields: never;
        Insert: {
          "branch_id"?: string | null;
          "created_at"?: string;
          "delivery_id": string;
          "event": string;
          "head_commit"?: string | null;
          "id"?: string;
          "project_id": string;
          "run_ids"?: (string)[];
        };
        Update: {
          "branch_id"?: string | null;
          "created_at"?: string;
          "delivery_id"?: string;
          "event"?: string;
          "head_commit"?: string | null;
          "id"?: string;
          "project_id"?: string;
          "run_ids"?: (string)[];
        };
        Relationships: [
          {
            foreignKeyName: "webhook_deliveries_branch_id_project_id_fkey";
            columns: ["branch_id", "project_id"];
            isOneToOne: false;
            referencedRelation: "branches";
            referencedColumns: ["id", "project_id"];
          },
          {
            foreignKeyName: "webhook_deliveries_project_id_fkey";
            columns: ["project_id"];
            isOneToOne: false;
            referencedRelation: "projects";
            referencedColumns: ["id"];
          },
        ];
      };
      "workers": {
        Row: {
          "host": string | null;
          "id": string;
          "labels": (string)[];
          "last_seen_at": string;
          "started_at": string;
          "version": string | null;
        };
        ComputedFields: never;
        Insert: {
          "host"?: string | null;
          "id": string;
          "labels"?: (string)[];
          "last_seen_at"?: string;
          "started_at"?: string;
          "version"?: string | null;
        };
        Update: {
          "host"?: string | null;
          "id"?: string;
          "labels"?: (string)[];
          "last_seen_at"?: string;
          "started_at"?: string;
          "version"?: string | null;
        };
        Relationships: [];
      };
      "workflows": {
        Row: {
          "concurrency_limit": number | null;
          "created_at": string;
          "created_by": string | null;
          "default_timeout_seconds": number;
          "description": string | null;
          "enabled": boolean;
          "id": string;
          "lease_seconds": number;
          "max_attempts": number;
          "name": string;
          "project_id": string;
          "required_labels": (string)[];
          "retry_backoff_seconds": number;
          "steps": NonNullable<Json>;
          "supersede": string;
          "time_limit_seconds": number | null;
          "triggers": NonNullable<Json>;
          "updated_at": string;
          "version": number;
        };
        ComputedFields: never;
        Insert: {
          "concurrency_limit"?: number | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "default_timeout_seconds"?: number;
          "description"?: string | null;
          "enabled"?: boolean;
          "id"?: string;
          "lease_seconds"?: number;
          "max_attempts"?: number;
          "name": string;
          "project_id": string;
          "required_labels"?: (string)[];
          "retry_backoff_seconds"?: number;
          "steps": NonNullable<Json>;
          "supersede"?: string;
          "time_limit_seconds"?: number | null;
          "triggers": NonNullable<Json>;
          "updated_at"?: string;
          "version"?: number;
        };
        Update: {
          "concurrency_limit"?: number | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "default_timeout_seconds"?: number;
          "description"?: string | null;
          "enabled"?: boolean;
          "id"?: string;
          "lease_seconds"?: number;
          "max_attempts"?: number;
          "name"?: string;
          "project_id"?: string;
          "required_labels"?: (string)[];
          "retry_backoff_seconds"?: number;
          "steps"?: NonNullable<Json>;
          "supersede"?: string;
          "time_limit_seconds"?: number | null;
          "triggers"?: NonNullable<Json>;
          "updated_at"?: string;
          "version"?: number;
        };
        Relationships: [
          {
            foreignKeyName: "workflows_project_id_fkey";
            columns: ["project_id"];
            isOneToOne: false;
            referencedRelation: "projects";
            referencedColumns: ["id"];
          },
        ];
      };
    };
    Views: {
      [_ in never]: never;
    };
    Functions: {
      "accept_project_invitation": {
        Args: { "p_invitation_id": string };
        Returns: {
          "project_slug": string;
          "role": Database["ops"]["Enums"]["member_role"];
        }[];
      };
      "add_run_artifact": {
        Args: {
          "p_artifact_key": string;
          "p_content_type"?: string;
          "p_metadata"?: Json;
          "p_run_id": string;
          "p_s3_url": string;
          "p_sha256": string;
          "p_size_bytes": number;
          "p_worker_id"?: string;
        };
        Returns: {
          "artifact_key": string;
          "content_type": string;
          "created_at": string;
          "id": string;
          "metadata": NonNullable<Json>;
          "project_id": string;
          "run_id": string;
          "sha256": string;
          "size_bytes": number;
          "storage_url": string;
        };
        SetofOptions: {
          from: "*";
          to: "run_artifacts";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "add_upgrade_findings": {
        Args: { "p_findings": Json; "p_run_id": string; "p_worker_id": string };
        Returns: number;
      };
      "append_run_log": {
        Args: {
          "p_level": string;
          "p_message": string;
          "p_metadata"?: Json;
          "p_run_id": string;
          "p_stream"?: string;
          "p_worker_id"?: string;
        };
        Returns: number;
      };
      "append_run_logs": {
        Args: { "p_lines": Json; "p_run_id": string; "p_worker_id"?: string };
        Returns: number;
      };
      "apply_workflow": {
        Args: { "p_project_slug": string; "p_workflow": Json };
        Returns: {
          "concurrency_limit": number | null;
          "created_at": string;
          "created_by": string | null;
          "default_timeout_seconds": number;
          "description": string | null;
          "enabled": boolean;
          "id": string;
          "lease_seconds": number;
          "max_attempts": number;
          "name": string;
          "project_id": string;
          "required_labels": (string)[];
          "retry_backoff_seconds": number;
          "steps": NonNullable<Json>;
          "supersede": string;
          "time_limit_seconds": number | null;
          "triggers": NonNullable<Json>;
          "updated_at": string;
          "version": number;
        };
        SetofOptions: {
          from: "*";
          to: "workflows";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "archive_project": {
        Args: { "p_archived"?: boolean; "p_project_slug": string };
        Returns: {
          "archived_at": string | null;
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "name": string;
          "odoo_series": string;
          "production_branch": string | null;
          "repository_url": string;
          "settings": NonNullable<Json>;
          "slug": string;
          "updated_at": string;
        };
        SetofOptions: {
          from: "*";
          to: "projects";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "branch_matches": { Args: { "p_branch": string; "p_pattern": string }; Returns: boolean };
      "cancel_run": {
        Args: { "p_reason"?: string; "p_run_id": string };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "claim_next_run": {
        Args: {
          "p_labels"?: (string)[];
          "p_lease_seconds"?: number;
          "p_start"?: boolean;
          "p_worker_id": string;
        };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        }[];
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "claim_runs": {
        Args: {
          "p_labels"?: (string)[];
          "p_lease_seconds"?: number;
          "p_limit"?: number;
          "p_start"?: boolean;
          "p_worker_id": string;
        };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        }[];
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "commit_status_repository": {
        Args: { "p_repository_url": string };
        Returns: Record<string, unknown>;
      };
      "complete_commit_status": {
        Args: { "p_http_status": number; "p_id": number; "p_notifier_id": string };
        Returns: {
          "api_url": string | null;
          "attempts": number;
          "commit_sha": string;
          "context": string;
          "created_at": string;
          "delivered_at": string | null;
          "description": string;
          "gave_up_at": string | null;
          "id": number;
          "last_error": string | null;
          "last_http_status": number | null;
          "lease_expires_at": string | null;
          "leased_by": string | null;
          "next_attempt_at": string;
          "project_id": string;
          "provider": string;
          "repository": string;
          "run_id": string;
          "run_status": Database["ops"]["Enums"]["run_status"];
          "state": string;
          "superseded_at": string | null;
        };
        SetofOptions: {
          from: "*";
          to: "commit_status_outbox";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "complete_workflow_run": {
        Args: {
          "p_error_message"?: string;
          "p_exit_code": number;
          "p_run_id": string;
          "p_worker_id"?: string;
        };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "complete_workflow_runs": {
        Args: {
          "p_error_messages"?: (string)[];
          "p_exit_codes": (number)[];
          "p_run_ids": (string)[];
          "p_worker_id": string;
        };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        }[];
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "create_project": {
        Args: {
          "p_name": string;
          "p_odoo_series": string;
          "p_production_branch"?: string;
          "p_repository_url": string;
          "p_settings"?: Json;
          "p_slug": string;
        };
        Returns: {
          "archived_at": string | null;
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "name": string;
          "odoo_series": string;
          "production_branch": string | null;
          "repository_url": string;
          "settings": NonNullable<Json>;
          "slug": string;
          "updated_at": string;
        };
        SetofOptions: {
          from: "*";
          to: "projects";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "default_workflow_triggers": { Args: { "p_workflow_name": string }; Returns: Json };
      "delete_git_host": {
        Args: { "p_host": string };
        Returns: {
          "api_url": string;
          "created_at": string;
          "host": string;
          "provider": string;
          "updated_at": string;
        };
        SetofOptions: {
          from: "*";
          to: "git_hosts";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "delete_project_secret": {
        Args: {
          "p_name": string;
          "p_project_slug": string;
          "p_stage"?: Database["ops"]["Enums"]["run_stage"];
        };
        Returns: {
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "name": string;
          "project_id": string;
          "stage": Database["ops"]["Enums"]["run_stage"] | null;
          "updated_at": string;
          "updated_by": string | null;
        };
        SetofOptions: {
          from: "*";
          to: "project_secrets";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "enqueue_run": {
        Args: {
          "p_branch": string;
          "p_commit_sha": string;
          "p_idempotency_key"?: string;
          "p_params"?: Json;
          "p_priority"?: number;
          "p_project_slug": string;
          "p_reuse_active"?: boolean;
          "p_run_after"?: string;
          "p_stage"?: Database["ops"]["Enums"]["run_stage"];
          "p_workflow_name": string;
        };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "get_commit_status_token": {
        Args: { "p_id": number; "p_notifier_id": string };
        Returns: string;
      };
      "get_run_context": {
        Args: { "p_run_id": string; "p_worker_id": string };
        Returns: Database["ops"]["CompositeTypes"]["run_context"];
        SetofOptions: {
          from: "*";
          to: "run_context";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "get_run_secrets": {
        Args: { "p_run_id": string; "p_worker_id": string };
        Returns: {
          "name": string;
          "value": string;
        }[];
      };
      "heartbeat_run": {
        Args: { "p_lease_seconds"?: number; "p_run_id": string; "p_worker_id": string };
        Returns: {
          "cancel_requested": boolean;
          "lease_expires_at": string;
        }[];
      };
      "invite_project_member": {
        Args: {
          "p_email": string;
          "p_project_slug": string;
          "p_role"?: Database["ops"]["Enums"]["member_role"];
        };
        Returns: {
          "accepted_at": string | null;
          "accepted_by": string | null;
          "created_at": string;
          "email": string;
          "expires_at": string;
          "id": string;
          "invited_by": string | null;
          "project_id": string;
          "role": Database["ops"]["Enums"]["member_role"];
        };
        SetofOptions: {
          from: "*";
          to: "project_invitations";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "is_artifact_store_root": { Args: { "p_url": string }; Returns: boolean };
      "is_git_ref_name": { Args: { "p_name": string }; Returns: boolean };
      "is_installation_operator": { Args: Record<PropertyKey, never>; Returns: boolean };
      "is_label_set": { Args: { "p_labels": (string)[] }; Returns: boolean };
      "is_odoo_series": { Args: { "p_series": string }; Returns: boolean };
      "is_valid_regex": { Args: { "p_pattern": string }; Returns: boolean };
      "lease_commit_statuses": {
        Args: { "p_lease_seconds"?: number; "p_limit"?: number; "p_notifier_id": string };
        Returns: {
          "api_url": string | null;
          "attempts": number;
          "commit_sha": string;
          "context": string;
          "created_at": string;
          "delivered_at": string | null;
          "description": string;
          "gave_up_at": string | null;
          "id": number;
          "last_error": string | null;
          "last_http_status": number | null;
          "lease_expires_at": string | null;
          "leased_by": string | null;
          "next_attempt_at": string;
          "project_id": string;
          "provider": string;
          "repository": string;
          "run_id": string;
          "run_status": Database["ops"]["Enums"]["run_status"];
          "state": string;
          "superseded_at": string | null;
        }[];
        SetofOptions: {
          from: "*";
          to: "commit_status_outbox";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "list_installation_workers": {
        Args: Record<PropertyKey, never>;
        Returns: {
          "gone": boolean;
          "held_runs": number;
          "host": string;
          "labels": (string)[];
          "last_seen_at": string;
          "started_at": string;
          "version": string;
          "worker_id": string;
        }[];
      };
      "list_queued_runs": {
        Args: Record<PropertyKey, never>;
        Returns: {
          "age": string;
          "attempt": number;
          "branch": string;
          "commit_sha": string;
          "max_attempts": number;
          "position": number;
          "priority": number;
          "project_slug": string;
          "run_after": string;
          "run_id": string;
          "wait_reason": string;
          "workflow_name": string;
        }[];
      };
      "list_upgrade_blockers": {
        Args: { "p_target_series": string };
        Returns: {
          "branch": string;
          "code": string;
          "col": number;
          "commit_sha": string;
          "excerpt": string;
          "file": string;
          "line": number;
          "project_slug": string;
          "run_id": string;
          "scanned_at": string;
          "to_series": string;
        }[];
      };
      "list_workers": {
        Args: Record<PropertyKey, never>;
        Returns: {
          "held_runs": number;
          "host": string;
          "labels": (string)[];
          "last_seen_at": string;
          "started_at": string;
          "status": string;
          "version": string;
          "worker_id": string;
        }[];
      };
      "my_project_invitations": {
        Args: Record<PropertyKey, never>;
        Returns: {
          "created_at": string;
          "expires_at": string;
          "id": string;
          "project_name": string;
          "project_slug": string;
          "role": Database["ops"]["Enums"]["member_role"];
        }[];
      };
      "normalize_repository_url": { Args: { "p_url": string }; Returns: string };
      "prune_commit_statuses": {
        Args: { "p_limit"?: number; "p_older_than_days": number };
        Returns: number;
      };
      "record_branch_deleted": {
        Args: { "p_branch": string; "p_delivery_id": string; "p_project_id": string };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        }[];
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "record_pull_request": {
        Args: {
          "p_action": string;
          "p_base_branch": string;
          "p_delivery_id": string;
          "p_head_commit": string;
          "p_head_repository": string;
          "p_number": number;
          "p_opened_by": string;
          "p_project_id": string;
          "p_provider": string;
        };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        }[];
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "record_push": {
        Args: {
          "p_branch": string;
          "p_delivery_id": string;
          "p_head_commit": string;
          "p_project_id": string;
          "p_pushed_by": string;
        };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        }[];
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "register_artifact_store": {
        Args: { "p_description"?: string; "p_root_url": string };
        Returns: {
          "created_at": string;
          "description": string | null;
          "id": string;
          "root_url": string;
        };
        SetofOptions: {
          from: "*";
          to: "artifact_stores";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "register_worker": {
        Args: {
          "p_host"?: string;
          "p_labels"?: (string)[];
          "p_version"?: string;
          "p_worker_id": string;
        };
        Returns: {
          "host": string | null;
          "id": string;
          "labels": (string)[];
          "last_seen_at": string;
          "started_at": string;
          "version": string | null;
        };
        SetofOptions: {
          from: "*";
          to: "workers";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "requeue_run": {
        Args: { "p_reason"?: string; "p_run_id": string; "p_worker_id": string };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "retry_commit_status": {
        Args: {
          "p_count_attempt"?: boolean;
          "p_delay_seconds": number;
          "p_error": string;
          "p_give_up"?: boolean;
          "p_http_status"?: number;
          "p_id": number;
          "p_notifier_id": string;
        };
        Returns: {
          "api_url": string | null;
          "attempts": number;
          "commit_sha": string;
          "context": string;
          "created_at": string;
          "delivered_at": string | null;
          "description": string;
          "gave_up_at": string | null;
          "id": number;
          "last_error": string | null;
          "last_http_status": number | null;
          "lease_expires_at": string | null;
          "leased_by": string | null;
          "next_attempt_at": string;
          "project_id": string;
          "provider": string;
          "repository": string;
          "run_id": string;
          "run_status": Database["ops"]["Enums"]["run_status"];
          "state": string;
          "superseded_at": string | null;
        };
        SetofOptions: {
          from: "*";
          to: "commit_status_outbox";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "revoke_project_invitation": {
        Args: { "p_invitation_id": string };
        Returns: {
          "accepted_at": string | null;
          "accepted_by": string | null;
          "created_at": string;
          "email": string;
          "expires_at": string;
          "id": string;
          "invited_by": string | null;
          "project_id": string;
          "role": Database["ops"]["Enums"]["member_role"];
        };
        SetofOptions: {
          from: "*";
          to: "project_invitations";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "run_status_transitions": {
        Args: Record<PropertyKey, never>;
        Returns: {
          "cause": string;
          "from_status": Database["ops"]["Enums"]["run_status"];
          "to_status": Database["ops"]["Enums"]["run_status"];
        }[];
      };
      "search_run_logs": {
        Args: {
          "p_after_seq"?: number;
          "p_level"?: Database["ops"]["Enums"]["log_level"];
          "p_limit"?: number;
          "p_query": string;
          "p_run_id": string;
        };
        Returns: {
          "level": Database["ops"]["Enums"]["log_level"];
          "logged_at": string;
          "message": string;
          "seq": number;
          "stream": string;
        }[];
      };
      "set_branch_stage": {
        Args: {
          "p_branch": string;
          "p_project_slug": string;
          "p_stage": Database["ops"]["Enums"]["run_stage"];
        };
        Returns: {
          "created_at": string;
          "deleted_at": string | null;
          "head_commit": string | null;
          "id": string;
          "last_push_at": string | null;
          "name": string;
          "project_id": string;
          "pushed_by": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "updated_at": string;
        };
        SetofOptions: {
          from: "*";
          to: "branches";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "set_git_host": {
        Args: { "p_api_url": string; "p_host": string; "p_provider": string };
        Returns: {
          "api_url": string;
          "created_at": string;
          "host": string;
          "provider": string;
          "updated_at": string;
        };
        SetofOptions: {
          from: "*";
          to: "git_hosts";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "set_project_secret": {
        Args: {
          "p_name": string;
          "p_project_slug": string;
          "p_stage"?: Database["ops"]["Enums"]["run_stage"];
          "p_value": string;
        };
        Returns: {
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "name": string;
          "project_id": string;
          "stage": Database["ops"]["Enums"]["run_stage"] | null;
          "updated_at": string;
          "updated_by": string | null;
        };
        SetofOptions: {
          from: "*";
          to: "project_secrets";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "set_webhook_secret": {
        Args: {
          "p_project_slug": string;
          "p_provider": string;
          "p_rotate"?: boolean;
          "p_secret": string;
        };
        Returns: {
          "created_at": string;
          "provider": string;
          "updated_at": string;
        }[];
      };
      "start_workflow_run": {
        Args: { "p_run_id": string; "p_worker_id": string };
        Returns: {
          "attempt": number;
          "branch": string;
          "branch_id": string;
          "cancel_reason": string | null;
          "cancel_requested_at": string | null;
          "claimed_at": string | null;
          "commit_sha": string;
          "created_at": string;
          "created_by": string | null;
          "error_message": string | null;
          "exit_code": number | null;
          "finished_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "last_log_seq": number;
          "lease_expires_at": string | null;
          "max_attempts": number;
          "params": NonNullable<Json>;
          "priority": number;
          "project_id": string;
          "pull_request_number": number | null;
          "push_delivery_id": string | null;
          "required_labels": (string)[];
          "run_after": string;
          "source_ref": string | null;
          "stage": Database["ops"]["Enums"]["run_stage"];
          "started_at": string | null;
          "status": Database["ops"]["Enums"]["run_status"];
          "untrusted": boolean;
          "updated_at": string;
          "worker_id": string | null;
          "workflow_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "upgrade_advisory_pattern_problem": {
        Args: { "p_engine": string; "p_pattern": Json; "p_regex": string };
        Returns: string;
      };
      "validate_workflow_steps": { Args: { "p_steps": Json }; Returns: undefined };
      "validate_workflow_triggers": { Args: { "p_triggers": Json }; Returns: undefined };
      "verify_webhook": {
        Args: {
          "p_body": string;
          "p_provider": string;
          "p_repository": string;
          "p_signature": string;
        };
        Returns: string;
      };
    };
    Enums: {
      "advisory_severity": "breaking" | "deprecation";
      "log_level": "debug" | "info" | "warning" | "error";
      "member_role": "viewer" | "developer" | "admin" | "owner";
      "run_stage": "production" | "staging" | "development";
      "run_status": "queued" | "claimed" | "running" | "succeeded" | "failed" | "canceled";
    };
    CompositeTypes: {
      "run_context": {
        "project": Json | null;
        "workflow": Json | null;
        "tools": Json | null;
        "secret_names": (string)[] | null;
        "advisories": Json | null;
      };
    };
  };
};

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">;

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "ops">];

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof (
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"]
    )
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals } ? (
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"]
  )[TableName] extends {
    Row: infer R;
  } ? R
  : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R;
    } ? R
    : never
  : never;

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends
    {
      Insert: infer I;
    } ? I
  : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I;
    } ? I
    : never
  : never;

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends
    {
      Update: infer U;
    } ? U
  : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U;
    } ? U
    : never
  : never;

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never,
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never;

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never,
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][
    CompositeTypeName
  ]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never;

export const Constants = {
  "ops": {
    Enums: {
      "advisory_severity": ["breaking", "deprecation"],
      "log_level": ["debug", "info", "warning", "error"],
      "member_role": ["viewer", "developer", "admin", "owner"],
      "run_stage": ["production", "staging", "development"],
      "run_status": ["queued", "claimed", "running", "succeeded", "failed", "canceled"],
    },
  },
} as const;
