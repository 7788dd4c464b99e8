"""``/internal/verify``: Traefik ForwardAuth, the platform's one authentication point."""
