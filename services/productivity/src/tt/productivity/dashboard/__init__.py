"""The server-rendered ``/dashboard/productivity`` page and its static assets."""
