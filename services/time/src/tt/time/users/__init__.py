"""The local projection of auth's users (names and timezones), fed by ``tt.auth.users``."""
