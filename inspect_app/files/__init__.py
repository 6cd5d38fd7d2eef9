"""Stored files: the storage interface, the app's storage, and the photo pipeline."""
