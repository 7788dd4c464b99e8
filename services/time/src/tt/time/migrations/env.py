from tt.common.migrations import database_metadata, run_migrations
from tt.time import models
from tt.time.settings import TimeSettings

run_migrations(database_metadata(models), TimeSettings().database_url)
