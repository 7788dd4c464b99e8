"""Idempotency-Key handling for creates (CONTRACT.md section 5)."""
