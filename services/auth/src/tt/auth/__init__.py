"""tt auth service."""
