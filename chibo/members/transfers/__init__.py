"""transfers of members (see its modules)."""
