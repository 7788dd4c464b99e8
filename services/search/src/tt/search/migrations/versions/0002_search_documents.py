"""The search table: weighted full text (tsvector) and trigrams (pg_trgm).

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Trigram matching is how a typo still finds its word: "projetc" shares 5 of its 8
# trigrams with "project" (0.625), under pg_trgm's default threshold of 0.6 for
# some typos, so the `<%` operator of this database uses 0.5.
WORD_SIMILARITY_THRESHOLD = "0.5"


def upgrade() -> None:
    # pg_trgm is a trusted extension: the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Load the extension's library so its settings are known (and settable by the
    # owner) before the database default is set.
    op.execute("SELECT similarity('', '')")
    op.execute(
        "DO $$ BEGIN EXECUTE format("
        "'ALTER DATABASE %I SET pg_trgm.word_similarity_threshold = "
        f"{WORD_SIMILARITY_THRESHOLD}', current_database()); END $$"
    )
    op.create_table(
        "search_documents",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.BigInteger, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(32)),
        sa.Column("project_id", sa.BigInteger),
        sa.Column("project_name", sa.Text),
        sa.Column("task_id", sa.BigInteger),
        sa.Column("task_name", sa.Text),
        sa.Column("owner_id", sa.BigInteger),
        sa.Column("duration_seconds", sa.BigInteger),
        sa.Column("is_running", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("text_a", sa.Text, nullable=False, server_default=""),
        sa.Column("text_b", sa.Text, nullable=False, server_default=""),
        sa.Column("text_c", sa.Text, nullable=False, server_default=""),
        sa.Column("match_key", sa.Text, sa.Computed("lower(text_a)", persisted=True)),
        sa.Column(
            "search_text",
            sa.Text,
            sa.Computed("text_a || ' ' || text_b || ' ' || text_c", persisted=True),
        ),
        sa.Column(
            "document",
            postgresql.TSVECTOR,
            sa.Computed(
                "setweight(to_tsvector('simple'::regconfig, text_a), 'A') || "
                "setweight(to_tsvector('simple'::regconfig, text_b), 'B') || "
                "setweight(to_tsvector('simple'::regconfig, text_c), 'C')",
                persisted=True,
            ),
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("kind", "entity_id", name="pk_search_documents"),
    )
    op.create_index(
        "ix_search_documents_document", "search_documents", ["document"], postgresql_using="gin"
    )
    op.create_index(
        "ix_search_documents_search_text",
        "search_documents",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_search_documents_entry_owner",
        "search_documents",
        ["owner_id"],
        postgresql_where=sa.text("kind = 'entry'"),
    )


def downgrade() -> None:
    op.drop_table("search_documents")
    op.execute(
        "DO $$ BEGIN EXECUTE format("
        "'ALTER DATABASE %I RESET pg_trgm.word_similarity_threshold', current_database()); "
        "END $$"
    )
