"""The caseworker screens, one module per screen."""
