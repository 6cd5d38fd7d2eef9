"""The audit log's reader: its hash chains verified (``flask audit verify``), its viewer and export at ``/audit``,
and the refusals the scoping door notes, written once per request."""
