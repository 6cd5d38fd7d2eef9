"""JSON API v1 under /api/v1: session auth for the app's own pages, bearer tokens for other clients."""
