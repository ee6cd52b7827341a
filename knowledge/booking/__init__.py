"""Bookings of meals and visits: rules, capacity and lifecycle."""
