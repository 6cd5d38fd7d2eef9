"""Background jobs: the queue in the database, the kinds of work, the worker that runs them and the Tác vụ pages."""
