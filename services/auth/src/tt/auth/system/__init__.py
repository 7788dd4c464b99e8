"""Public system routes: ``/api/v1/info``, ``/api/v1/health``, the gateway's error bodies."""
