"""The response class of auth's routers.

It is tt.common's ``JSONResponse`` (orjson: the same bytes as every other answer), made a
kind of Starlette ``JSONResponse`` too: FastAPI documents the answer of a route whose
response class it does not know as JSON as a plain string, so without this a route's
``response_model`` never reached the OpenAPI document. (Belongs in
``tt.common.responses`` itself; until then each service declares it.)"""

from __future__ import annotations

from starlette import responses

from tt.common.responses import JSONResponse


class JSONAnswer(JSONResponse, responses.JSONResponse):
    """Renders as tt.common's ``JSONResponse``; documented as JSON (``response_model``)."""
