"""Command groups of `flask rtsuivi …`, one module per area, registered from cli.py."""
