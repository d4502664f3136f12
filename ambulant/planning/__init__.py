"""Planning: from stored requests to a solved, stored, publishable plan."""
