"""Users: accounts, passwords, the admin users API and ``/api/v1/users/me``."""
