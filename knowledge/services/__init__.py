"""Use cases called by actions and the gateway; each takes a UnitOfWork."""
