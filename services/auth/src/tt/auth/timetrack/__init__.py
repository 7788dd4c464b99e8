"""TimeTrack key/secret pairs for the TimeTrack-compatible ``/api/v2/ext`` API."""
