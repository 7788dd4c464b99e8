"""tt webhooks service."""
