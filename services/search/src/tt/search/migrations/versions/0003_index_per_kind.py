"""Indexes per kind, and names starting with the query by index.

- The full-text and trigram indexes become one partial index per kind: a search scans a
  category's index only (a word common among 100k entries no longer costs a project or
  client search anything), and each row is still in two of them.
- match_key is the first 200 characters of the lowercased name (queries have at most
  200; btree rows have a size limit), indexed per kind in byte order for prefix ranges.
- kind and status are correlated (only projects, tasks and clients have a status): the
  planner is told, or it misjudges how many active projects there are.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("project", "task", "client", "entry")


def _match_key(expression: str) -> None:
    op.drop_column("search_documents", "match_key")
    op.add_column(
        "search_documents", sa.Column("match_key", sa.Text, sa.Computed(expression, persisted=True))
    )


def _global_indexes() -> None:
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


def upgrade() -> None:
    op.drop_index("ix_search_documents_document", "search_documents")
    op.drop_index("ix_search_documents_search_text", "search_documents")
    _match_key("lower(left(text_a, 200))")
    for kind in KINDS:
        where = sa.text(f"kind = '{kind}'")
        op.create_index(
            f"ix_search_documents_{kind}_document",
            "search_documents",
            ["document"],
            postgresql_using="gin",
            postgresql_where=where,
        )
        op.create_index(
            f"ix_search_documents_{kind}_search_text",
            "search_documents",
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            postgresql_where=where,
        )
    op.execute(
        'CREATE INDEX ix_search_documents_match_key ON search_documents (kind, match_key COLLATE "C")'
    )
    op.execute(
        "CREATE STATISTICS search_documents_kind_status (dependencies, mcv) "
        "ON kind, status FROM search_documents"
    )


def downgrade() -> None:
    op.execute("DROP STATISTICS search_documents_kind_status")
    op.drop_index("ix_search_documents_match_key", "search_documents")
    for kind in KINDS:
        op.drop_index(f"ix_search_documents_{kind}_document", "search_documents")
        op.drop_index(f"ix_search_documents_{kind}_search_text", "search_documents")
    _match_key("lower(text_a)")
    _global_indexes()
