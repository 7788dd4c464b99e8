"""Client contacts: the people at a client (``/api/v1/clients/<id>/contacts``)."""
