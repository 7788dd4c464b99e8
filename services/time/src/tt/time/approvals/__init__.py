"""Time-entry approvals: a user asks for entries to be approved, an admin approves or
rejects them; approved (and pending) entries are then read-only except for admins."""
