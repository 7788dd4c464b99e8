"""Clients: who the work is for."""
