"""Time core: users projection, clients, projects, tasks, time entries, idempotency
records, and the trigger that keeps per-user entry counts and per-project/task totals.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[datetime]]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("email", sa.String(255)),
        sa.Column("full_name", sa.String(255)),
        sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("role", sa.String(32)),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )

    op.create_table(
        "clients",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(200)),
        sa.Column("company", sa.String(200)),
        sa.Column("phone", sa.String(100)),
        sa.Column("address", sa.Text),
        sa.Column("contact_person", sa.String(200)),
        sa.Column("description", sa.Text),
        sa.Column("default_hourly_rate", sa.Numeric(9, 2)),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("custom_fields", postgresql.JSONB),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        *_timestamps(),
    )
    op.create_index("ix_clients_name_id", "clients", ["name", "id"])

    op.create_table(
        "projects",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("code", sa.String(20)),
        sa.Column("description", sa.Text),
        sa.Column(
            "client_id",
            sa.BigInteger,
            sa.ForeignKey("clients.id", name="fk_projects_client_id_clients"),
        ),
        sa.Column("billable", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("hourly_rate", sa.Numeric(9, 2)),
        sa.Column("billing_ref", sa.String(100)),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("estimated_hours", sa.Float),
        sa.Column("budget_amount", sa.Numeric(10, 2)),
        sa.Column("budget_threshold_percent", sa.Integer, nullable=False, server_default="80"),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("color", sa.String(7)),
        sa.Column("custom_fields", postgresql.JSONB),
        sa.Column("archived_at", sa.DateTime(timezone=True)),
        sa.Column("archived_by", sa.BigInteger),
        sa.Column("archived_reason", sa.Text),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        *_timestamps(),
        sa.UniqueConstraint("code", name="uq_projects_code"),
    )
    op.create_index("ix_projects_status_name_id", "projects", ["status", "name", "id"])
    op.create_index("ix_projects_client_id", "projects", ["client_id"])

    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column(
            "project_id",
            sa.BigInteger,
            sa.ForeignKey("projects.id", name="fk_tasks_project_id_projects"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("status", sa.String(20), nullable=False, server_default="todo"),
        sa.Column("priority", sa.String(10), nullable=False, server_default="medium"),
        sa.Column("estimated_hours", sa.Float),
        sa.Column("due_date", sa.Date),
        sa.Column("assigned_to", sa.BigInteger),
        sa.Column("tags", sa.String(500)),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        *_timestamps(),
    )
    op.create_index("ix_tasks_project_id_status", "tasks", ["project_id", "status"])

    op.create_table(
        "time_entries",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column(
            "project_id",
            sa.BigInteger,
            sa.ForeignKey("projects.id", name="fk_time_entries_project_id_projects"),
        ),
        sa.Column(
            "client_id",
            sa.BigInteger,
            sa.ForeignKey("clients.id", name="fk_time_entries_client_id_clients"),
        ),
        sa.Column(
            "task_id",
            sa.BigInteger,
            sa.ForeignKey("tasks.id", name="fk_time_entries_task_id_tasks"),
        ),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True)),
        sa.Column("duration_seconds", sa.Integer),
        sa.Column("break_seconds", sa.Integer, nullable=False, server_default="0"),
        sa.Column("paused_at", sa.DateTime(timezone=True)),
        sa.Column("notes", sa.Text),
        sa.Column("tags", sa.String(500)),
        sa.Column("billable", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("paid", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("invoice_number", sa.String(100)),
        sa.Column("source", sa.String(10), nullable=False, server_default="manual"),
        sa.Column("approval_status", sa.String(10)),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        *_timestamps(),
    )
    op.execute(
        "CREATE INDEX ix_time_entries_user_start ON time_entries (user_id, start_time DESC, id DESC)"
    )
    op.execute(
        "CREATE INDEX ix_time_entries_project_start ON time_entries (project_id, start_time DESC, id DESC)"
    )
    op.execute("CREATE INDEX ix_time_entries_start ON time_entries (start_time DESC, id DESC)")
    op.execute(
        "CREATE INDEX ix_time_entries_task_id ON time_entries (task_id) WHERE task_id IS NOT NULL"
    )
    op.execute(
        "CREATE INDEX ix_time_entries_client_id ON time_entries (client_id) WHERE client_id IS NOT NULL"
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_time_entries_one_active_per_user ON time_entries (user_id) "
        "WHERE end_time IS NULL"
    )

    op.create_table(
        "entry_counts",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("total", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("active", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_table(
        "work_totals",
        sa.Column("kind", sa.String(1), primary_key=True),
        sa.Column("ref_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("seconds", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("billable_seconds", sa.BigInteger, nullable=False, server_default="0"),
    )

    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("body", sa.LargeBinary),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.UniqueConstraint("scope", "key", name="uq_idempotency_records_scope_key"),
    )
    op.create_index("ix_idempotency_records_created_at", "idempotency_records", ["created_at"])

    for statement in TOTALS_TRIGGER:
        op.execute(statement)


# Keeps entry_counts and work_totals equal to what time_entries holds. Locks are taken in
# one order (user counts, then project, then task; lower ids first when work moves between
# two), so concurrent writers cannot deadlock on them.
TOTALS_TRIGGER = [
    """
    CREATE FUNCTION tt_add_count(uid bigint, d_total bigint, d_active bigint) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO entry_counts AS c (user_id, total, active) VALUES (uid, d_total, d_active)
        ON CONFLICT (user_id) DO UPDATE
        SET total = c.total + EXCLUDED.total, active = c.active + EXCLUDED.active
    $$
    """,
    """
    CREATE FUNCTION tt_add_work(k text, ref bigint, d_secs bigint, d_bill bigint) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        IF ref IS NULL OR (d_secs = 0 AND d_bill = 0) THEN
            RETURN;
        END IF;
        INSERT INTO work_totals AS w (kind, ref_id, seconds, billable_seconds)
        VALUES (k, ref, d_secs, d_bill)
        ON CONFLICT (kind, ref_id) DO UPDATE
        SET seconds = w.seconds + EXCLUDED.seconds,
            billable_seconds = w.billable_seconds + EXCLUDED.billable_seconds;
    END $$
    """,
    """
    CREATE FUNCTION tt_move_work(
        k text, old_ref bigint, old_secs bigint, old_bill bigint,
        new_ref bigint, new_secs bigint, new_bill bigint
    ) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        IF old_ref IS NOT DISTINCT FROM new_ref THEN
            PERFORM tt_add_work(k, new_ref, new_secs - old_secs, new_bill - old_bill);
        ELSIF new_ref IS NULL OR (old_ref IS NOT NULL AND old_ref < new_ref) THEN
            PERFORM tt_add_work(k, old_ref, -old_secs, -old_bill);
            PERFORM tt_add_work(k, new_ref, new_secs, new_bill);
        ELSE
            PERFORM tt_add_work(k, new_ref, new_secs, new_bill);
            PERFORM tt_add_work(k, old_ref, -old_secs, -old_bill);
        END IF;
    END $$
    """,
    """
    CREATE FUNCTION tt_time_entries_totals() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        old_user bigint; old_active int := 0; old_project bigint; old_task bigint;
        old_secs bigint := 0; old_bill bigint := 0;
        new_user bigint; new_active int := 0; new_project bigint; new_task bigint;
        new_secs bigint := 0; new_bill bigint := 0;
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            old_user := OLD.user_id; old_project := OLD.project_id; old_task := OLD.task_id;
            IF OLD.end_time IS NULL THEN
                old_active := 1;
            ELSE
                old_secs := coalesce(OLD.duration_seconds, 0);
                old_bill := CASE WHEN OLD.billable THEN old_secs ELSE 0 END;
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            new_user := NEW.user_id; new_project := NEW.project_id; new_task := NEW.task_id;
            IF NEW.end_time IS NULL THEN
                new_active := 1;
            ELSE
                new_secs := coalesce(NEW.duration_seconds, 0);
                new_bill := CASE WHEN NEW.billable THEN new_secs ELSE 0 END;
            END IF;
        END IF;

        IF old_user IS NOT DISTINCT FROM new_user THEN
            IF old_active <> new_active THEN
                PERFORM tt_add_count(new_user, 0, new_active - old_active);
            END IF;
        ELSE
            IF old_user IS NOT NULL THEN
                PERFORM tt_add_count(old_user, -1, -old_active);
            END IF;
            IF new_user IS NOT NULL THEN
                PERFORM tt_add_count(new_user, 1, new_active);
            END IF;
        END IF;

        PERFORM tt_move_work('p', old_project, old_secs, old_bill, new_project, new_secs, new_bill);
        PERFORM tt_move_work('t', old_task, old_secs, old_bill, new_task, new_secs, new_bill);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER time_entries_totals
    AFTER INSERT OR DELETE OR UPDATE OF user_id, project_id, task_id, end_time, duration_seconds, billable
    ON time_entries FOR EACH ROW EXECUTE FUNCTION tt_time_entries_totals()
    """,
]


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS time_entries_totals ON time_entries")
    for fn in (
        "tt_time_entries_totals()",
        "tt_move_work(text, bigint, bigint, bigint, bigint, bigint, bigint)",
        "tt_add_work(text, bigint, bigint, bigint)",
        "tt_add_count(bigint, bigint, bigint)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    for table in (
        "idempotency_records",
        "work_totals",
        "entry_counts",
        "time_entries",
        "tasks",
        "projects",
        "clients",
        "users",
    ):
        op.drop_table(table)
