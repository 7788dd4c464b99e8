"""The gateway's API documentation: one merged OpenAPI document (built by ``./dev openapi``
from every service's own) under Swagger UI, served locally (no CDN)."""
