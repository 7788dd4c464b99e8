"""Projects: what the work is on."""
