"""The pack's policies, one module per concern (P1-P8); shared helpers in `common`."""
