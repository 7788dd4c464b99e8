"""Time entries: who worked on what, when (a running timer is an entry without an end)."""
