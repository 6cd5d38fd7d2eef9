"""The phone app (PWA) for capturing inspections offline: the shell page, its service worker and its manifest."""
