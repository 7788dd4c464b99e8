"""Helpers shared by every test: the running platform, API clients, users, waiting."""
