"""tt time service."""
