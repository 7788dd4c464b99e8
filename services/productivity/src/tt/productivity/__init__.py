"""tt productivity service."""
