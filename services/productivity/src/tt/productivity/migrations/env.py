from tt.common.migrations import run_migrations
from tt.productivity.models import Base
from tt.productivity.settings import ProductivitySettings

run_migrations(Base.metadata, ProductivitySettings().database_url)
