"""Short GIN pending lists.

GIN indexes take new rows into a pending list, merged into the index when it passes
``gin_pending_list_limit`` (4 MB by default), and every search of the index reads the
whole list. With the indexer writing 60 entries a second, the lists of the words'
trigram index and the entries' indexes were nearly always large: a search took 50 ms
with 500 pending pages against 5 ms with 100, and at 20 searches a second that was most
of two CPUs. At 256 kB a list holds at most 32 pages; the indexer merges it 16 times as
often, in smaller pieces.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("project", "task", "client", "entry")
GIN_INDEXES = (
    "ix_search_words_trigrams",
    *(
        f"ix_search_documents_{kind}_{column}"
        for kind in KINDS
        for column in ("document", "search_text")
    ),
)


def upgrade() -> None:
    for index in GIN_INDEXES:
        op.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = 256)")


def downgrade() -> None:
    for index in GIN_INDEXES:
        op.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")
