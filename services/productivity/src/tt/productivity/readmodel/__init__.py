"""The read model: users, clients, projects and entries as the events describe them,
plus per-user aggregates kept up to date as events are applied."""
