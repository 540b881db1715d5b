"""Active discovery of the targets the user names (see runner.discover); imported on demand,
so that screening files does not load the network stack."""
