from tt.common.migrations import run_migrations
from tt.search.models import Base
from tt.search.settings import SearchSettings

run_migrations(Base.metadata, SearchSettings().database_url)
