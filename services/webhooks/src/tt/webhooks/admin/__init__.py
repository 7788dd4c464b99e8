"""The ``/admin/webhooks`` page and the session-authenticated calls it makes."""
