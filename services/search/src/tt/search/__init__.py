"""tt search service."""
