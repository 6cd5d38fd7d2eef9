"""The supervisor's side: the map of premises by state, its filters and its list (the dashboard builds on them)."""
