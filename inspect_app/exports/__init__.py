"""Every desk list as a CSV or XLSX file, in the user's scope, with the list's filters."""
