"""CSV import of time entries: streamed, validated whole, then written all at once."""
