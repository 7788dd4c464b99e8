from tt.auth import models
from tt.auth.settings import AuthSettings
from tt.common.migrations import database_metadata, run_migrations

run_migrations(database_metadata(models), AuthSettings().database_url)
