"""Paraph notify service: notifications (email, SMS) and webhooks."""
