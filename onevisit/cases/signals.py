"""Signals for listeners outside the engine (notifications, search, archive) so the engine imports none of them."""

from django.dispatch import Signal

# Sent after commit for every transition written by services._move: case_id, verb, before, after.
case_moved = Signal()
