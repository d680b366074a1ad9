"""spreadsheets of members (see its modules)."""
