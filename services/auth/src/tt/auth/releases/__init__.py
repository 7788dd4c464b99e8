"""The admin version check against a release feed, and per-admin dismissals."""
