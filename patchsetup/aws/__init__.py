"""Talking to AWS: the session, accounts x regions, the reader, the lock, the call gate."""
