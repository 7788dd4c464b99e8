from tt.common.migrations import database_metadata, run_migrations
from tt.webhooks import models
from tt.webhooks.settings import WebhooksSettings

run_migrations(database_metadata(models), WebhooksSettings().database_url)
