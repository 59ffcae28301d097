"""The ``osc-scope`` console script: one module per subcommand."""
