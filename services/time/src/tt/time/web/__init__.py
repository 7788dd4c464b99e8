"""HTTP plumbing shared by this service's routes: query parsing, its field types (reading
bodies, ids and text are tt.common.body and tt.common.fields).

Routes return ``JSONResponse`` (orjson) rather than dicts: FastAPI walks a returned dict
with ``jsonable_encoder`` before rendering it, which on a 50-entry page cost more CPU than
everything else in the request put together.
"""
