"""Backup and restore of an instance: the database, every stored file and a manifest of hashes and row counts."""
