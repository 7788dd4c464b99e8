"""The fault drill: steady load through the gateway, one fault at a time, then a
consistency check against the time service's tables (``./dev drill``)."""
