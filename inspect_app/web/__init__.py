"""HTTP plumbing every blueprint shares: error pages and JSON errors, gzip, template helpers, form glue."""
