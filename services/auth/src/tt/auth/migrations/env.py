from tt.auth.models import Base
from tt.auth.settings import AuthSettings
from tt.common.migrations import run_migrations

run_migrations(Base.metadata, AuthSettings().database_url)
