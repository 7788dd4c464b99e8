from tt.common.migrations import run_migrations
from tt.time.models import Base
from tt.time.settings import TimeSettings

run_migrations(Base.metadata, TimeSettings().database_url)
