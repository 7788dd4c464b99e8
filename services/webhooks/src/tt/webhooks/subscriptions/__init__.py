"""Webhook subscriptions: who wants which events, where, signed with which secret."""
