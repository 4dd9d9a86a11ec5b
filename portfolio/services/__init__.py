"""Services: take ``session``, ``actor`` and plain data; check permission; flush, never commit."""
