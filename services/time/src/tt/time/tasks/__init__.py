"""Tasks: the steps of a project."""
