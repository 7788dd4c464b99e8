"""The declarative base of the auth service's own tables; the tables the shared library
keeps in every database are on ``tt.common.db.PlatformBase``."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from tt.common.db import NAMING, TYPES


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = TYPES
