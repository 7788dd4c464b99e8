"""Changes to many time entries at once: bulk actions, and the one-statement way to
publish their events (also used by approvals)."""
