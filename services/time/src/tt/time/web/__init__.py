"""HTTP plumbing shared by this service's routes: body and query parsing, field types."""
