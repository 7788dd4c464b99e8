"""Candidates in recency order, and a word table for typos.

- Each category's rows in recency order (entries by start time, per owner too; the other
  kinds by id, which the primary key gives): a search takes its candidates from the
  newest rows first instead of building a bitmap of every match, which cost ~50x more
  for a word in a third of 100k entries.
- ``search_words``: the distinct words of the index (letters and digits, 3 to 100
  characters) with a trigram index. A typo is looked up among the words (thousands)
  rather than among the documents (100k, each compared by ``word_similarity``), then
  searched by full text. A trigger adds the words of every written row; words are never
  removed one by one (a word no longer used only costs a lookup), a rebuild starts the
  table afresh.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The words a typo can be corrected to: no punctuation (it could not be quoted into a
# tsquery as one word), not too short to have trigrams worth comparing.
WORDS_OF = """
    SELECT DISTINCT w FROM {rows}, unnest(tsvector_to_array({rows}.document)) AS w
    WHERE length(w) BETWEEN 3 AND 100 AND w !~ '[[:space:][:punct:]]'
    ORDER BY w
"""


def upgrade() -> None:
    op.drop_index("ix_search_documents_entry_owner", "search_documents")
    op.execute(
        "CREATE INDEX ix_search_documents_entry_recent ON search_documents "
        "(started_at DESC NULLS LAST, entity_id DESC) WHERE kind = 'entry' AND NOT is_running"
    )
    op.execute(
        "CREATE INDEX ix_search_documents_entry_owner_recent ON search_documents "
        "(owner_id, started_at DESC NULLS LAST, entity_id DESC) "
        "WHERE kind = 'entry' AND NOT is_running"
    )
    op.execute("CREATE TABLE search_words (word text PRIMARY KEY)")
    op.execute(
        "CREATE INDEX ix_search_words_trigrams ON search_words USING gin (word gin_trgm_ops)"
    )
    # Sorted, so two writers adding the same new words cannot deadlock on them.
    op.execute(
        f"""
        CREATE FUNCTION search_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO search_words (word) {WORDS_OF.format(rows="written")}
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$
        """
    )
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER search_words_on_{event.lower()} AFTER {event} ON search_documents "
            "REFERENCING NEW TABLE AS written FOR EACH STATEMENT "
            "EXECUTE FUNCTION search_words_add()"
        )
    op.execute(
        "INSERT INTO search_words (word) "
        + WORDS_OF.format(rows="search_documents")
        + " ON CONFLICT DO NOTHING"
    )


def downgrade() -> None:
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER search_words_on_{event} ON search_documents")
    op.execute("DROP FUNCTION search_words_add()")
    op.execute("DROP TABLE search_words")
    op.drop_index("ix_search_documents_entry_owner_recent", "search_documents")
    op.drop_index("ix_search_documents_entry_recent", "search_documents")
    op.create_index(
        "ix_search_documents_entry_owner",
        "search_documents",
        ["owner_id"],
        postgresql_where="kind = 'entry'",
    )
