"""Notifying people: reminders and notices (the emails themselves are core.services.mail).
May use: improvement, plans, progress."""
