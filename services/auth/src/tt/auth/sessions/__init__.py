"""Browser sessions (Redis), ``/login``/``/logout`` and the apps' ``/api/v1/auth/login``."""
