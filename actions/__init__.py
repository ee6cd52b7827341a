"""Custom actions for the rasa-sdk action server, one action per module.

Actions stay thin: they read the tracker, call a service in `knowledge`, and
say the result. Business rules and data access live in the services.
"""
