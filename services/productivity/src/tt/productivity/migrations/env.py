from tt.common.migrations import database_metadata, run_migrations
from tt.productivity import models
from tt.productivity.settings import ProductivitySettings

run_migrations(database_metadata(models), ProductivitySettings().database_url)
