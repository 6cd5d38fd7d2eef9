"""Metrology at the desk and in the API: reference standards, instruments, readings, pre-packaged lots."""
