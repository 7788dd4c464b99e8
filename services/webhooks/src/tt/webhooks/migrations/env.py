from tt.common.migrations import run_migrations
from tt.webhooks.models import Base
from tt.webhooks.settings import WebhooksSettings

run_migrations(Base.metadata, WebhooksSettings().database_url)
