"""Pure productivity logic: no I/O, no clock; days are the user's local calendar days."""
