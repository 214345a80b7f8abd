"""Command-line groups, one module per area, added to `flask rtsuivi` by cli.register_cli."""
