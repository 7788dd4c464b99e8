"""The worker side: recording deliveries from Kafka events and sending them."""
