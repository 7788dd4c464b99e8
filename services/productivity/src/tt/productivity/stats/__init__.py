"""Personal productivity stats and the value dashboard."""
