"""Tests of the printable documents: the biên bản PDF, its QR codes and verification tokens."""
