"""Timers: the running entry of a user (start, pause, resume, stop), v1 and legacy routes."""
