from tt.common.migrations import database_metadata, run_migrations
from tt.search import models
from tt.search.settings import SearchSettings

run_migrations(database_metadata(models), SearchSettings().database_url)
