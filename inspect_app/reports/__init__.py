"""The yearly report: its figures, the report a commune sends and the Sở collects."""
