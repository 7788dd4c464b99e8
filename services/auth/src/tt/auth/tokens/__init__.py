"""API tokens: creation (shown once), scopes, expiry, revocation, usage."""
