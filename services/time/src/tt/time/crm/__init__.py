"""Deals and leads (the sales pipeline), under the clients scopes."""
