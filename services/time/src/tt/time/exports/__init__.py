"""CSV export of time entries, streamed."""
