"""What test modules share: the CLI runner, the endpoint, the account reader, the proxy."""
