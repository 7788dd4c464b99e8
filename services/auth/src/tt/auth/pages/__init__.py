"""Server-rendered pages: ``/login`` and ``/admin/api-tokens``."""
