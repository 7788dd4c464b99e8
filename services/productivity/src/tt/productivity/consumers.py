"""What this service consumes: the entities whose topics feed the read model.

(It publishes nothing.) Topic names come from the catalogue (``deploy/kafka/topics.yaml``);
the handlers are the projector's, keyed by event-type pattern.
"""

from __future__ import annotations

from tt.common.consumer import ConsumerRunner
from tt.common.resources import Resources
from tt.productivity.invalidation import CacheInvalidator
from tt.productivity.readmodel.projector import Projector
from tt.productivity.settings import ProductivitySettings

CONSUMED_ENTITIES = ("user", "client", "project", "time_entry")


def build_consumer(
    resources: Resources, settings: ProductivitySettings, invalidator: CacheInvalidator
) -> ConsumerRunner:
    return ConsumerRunner.from_resources(
        resources,
        group_id=settings.consumer_group,
        entities=CONSUMED_ENTITIES,
        handlers=Projector(invalidator).handlers,
        on_batch_committed=invalidator.flush,
    )
