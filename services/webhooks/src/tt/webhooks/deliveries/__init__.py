"""Deliveries (one per subscription and event) and the log of their attempts."""
